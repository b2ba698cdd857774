//! Where a fetch may go: public addresses only, unless the caller opts in.
//!
//! A feed or a sitemap is written by someone else; the links in it must not reach the machine
//! running dyad or its network (an admin page on `127.0.0.1`, a router on `192.168.0.1`, a
//! cloud's metadata service on `169.254.169.254`). The check happens **after** name resolution,
//! in the resolver the HTTP agent connects through ([`PolicyResolver`]): every address a name
//! resolves to is classified, and the agent connects only to the addresses that were checked, so
//! a name cannot answer a public address to a check and a private one to the connect. The
//! resolver runs for every connection, redirect hops included.
//!
//! [`classify`] is the whole address policy, one table per family, tested exhaustively.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Why an address is not public, or `None` for a public (globally routable unicast) address.
pub fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// IPv4 ranges that are not public (IANA special-purpose registry, RFC 6890 and successors).
const V4: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "unspecified address"),
    ([10, 0, 0, 0], 8, "private address"),
    ([100, 64, 0, 0], 10, "shared (carrier-grade NAT) address"),
    ([127, 0, 0, 0], 8, "loopback address"),
    ([169, 254, 0, 0], 16, "link-local address"),
    ([172, 16, 0, 0], 12, "private address"),
    ([192, 0, 0, 0], 24, "reserved (IETF protocol) address"),
    ([192, 0, 2, 0], 24, "documentation address"),
    ([192, 88, 99, 0], 24, "reserved (6to4 relay) address"),
    ([192, 168, 0, 0], 16, "private address"),
    ([198, 18, 0, 0], 15, "reserved (benchmarking) address"),
    ([198, 51, 100, 0], 24, "documentation address"),
    ([203, 0, 113, 0], 24, "documentation address"),
    ([224, 0, 0, 0], 4, "multicast address"),
    ([255, 255, 255, 255], 32, "broadcast address"),
    ([240, 0, 0, 0], 4, "reserved address"),
];

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let bits = u32::from(ip);
    V4.iter()
        .find(|(net, len, _)| {
            let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
            bits & mask == u32::from(Ipv4Addr::from(*net)) & mask
        })
        .map(|(_, _, why)| *why)
}

/// IPv6 ranges that are not public, first match wins. Forms that embed an IPv4 address are
/// handled before this table, by the embedded address.
const V6: &[(u128, u8, &str)] = &[
    (0, 128, "unspecified address"),
    (1, 128, "loopback address"),
    (
        0x0064_ff9b_0001_u128 << 80,
        48,
        "private (local NAT64) address",
    ),
    (0x0100_u128 << 112, 64, "reserved (discard) address"),
    (0x2001_0db8_u128 << 96, 32, "documentation address"),
    (0x3fff_u128 << 112, 20, "documentation address"),
    (0x2001_u128 << 112, 23, "reserved (IETF protocol) address"),
    (0xfc00_u128 << 112, 7, "unique local (private) address"),
    (0xfe80_u128 << 112, 10, "link-local address"),
    (0xfec0_u128 << 112, 10, "site-local (private) address"),
    (0xff00_u128 << 112, 8, "multicast address"),
];

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let bits = u128::from(ip);
    let in_net = |net: u128, len: u8| {
        let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
        bits & mask == net & mask
    };
    if let Some(why) = V6.iter().find(|(n, l, _)| in_net(*n, *l)).map(|e| e.2) {
        return Some(why);
    }
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated) and the NAT64
    // well-known prefix (64:ff9b::a.b.c.d) reach the IPv4 address they carry.
    if in_net(0xffff << 32, 96) || in_net(0, 96) || in_net(0x0064_ff9b << 96, 96) {
        let v4 = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
        return classify_v4(v4).map(embedded);
    }
    // 6to4 (2002:a.b.c.d::/48) reaches the IPv4 address in bits 16..48.
    if in_net(0x2002 << 112, 16) {
        let v4 = Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32);
        return classify_v4(v4).map(embedded);
    }
    // Only 2000::/3 is allocated as global unicast.
    if !in_net(0x2000 << 112, 3) {
        return Some("reserved address");
    }
    None
}

/// The reason for an IPv4 address carried in an IPv6 one.
fn embedded(why: &'static str) -> &'static str {
    match why {
        "unspecified address" => "unspecified address (in an IPv6 form)",
        "private address" => "private address (in an IPv6 form)",
        "shared (carrier-grade NAT) address" => {
            "shared (carrier-grade NAT) address (in an IPv6 form)"
        }
        "loopback address" => "loopback address (in an IPv6 form)",
        "link-local address" => "link-local address (in an IPv6 form)",
        "documentation address" => "documentation address (in an IPv6 form)",
        "multicast address" => "multicast address (in an IPv6 form)",
        "broadcast address" => "broadcast address (in an IPv6 form)",
        _ => "reserved address (in an IPv6 form)",
    }
}

/// A URL the policy refuses to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The URL refused (a redirect hop's, when the refusal happened on a redirect).
    pub url: String,
    /// Why, for humans.
    pub reason: String,
    /// Whether the reason is the address (the opt-in would allow it).
    pub address: bool,
    /// Whether `url` is where a redirect led, not the URL asked for.
    pub redirect: bool,
}

impl Refusal {
    /// The message without the URL asked for (callers pair it with that URL); a redirect's
    /// target is named.
    pub fn short(&self) -> String {
        let hint = if self.address {
            "; pass --allow-private-addresses to fetch local addresses"
        } else {
            ""
        };
        if self.redirect {
            format!(
                "refused the redirect to {}: {}{hint}",
                self.url, self.reason
            )
        } else {
            format!("refused: {}{hint}", self.reason)
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.short().split_once(": ") {
            Some((_, rest)) if !self.redirect => write!(f, "refused {}: {rest}", self.url),
            _ => f.write_str(&self.short()),
        }
    }
}

impl std::error::Error for Refusal {}

fn refuse(url: &str, reason: impl Into<String>, address: bool) -> Refusal {
    Refusal {
        url: url.to_string(),
        reason: reason.into(),
        address,
        redirect: false,
    }
}

/// Checks what can be checked without the network: an http(s) scheme, a host, no credentials
/// in the URL, and a literal IP address's class (unless `allow_private`).
/// `allowed` are exact socket addresses let through whatever their class.
pub fn check_url(url: &str, allow_private: bool, allowed: &[SocketAddr]) -> Result<(), Refusal> {
    if let Some((scheme, _)) = url.split_once(':')
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !scheme.eq_ignore_ascii_case("http")
        && !scheme.eq_ignore_ascii_case("https")
    {
        return Err(refuse(
            url,
            format!(
                "the {}: scheme is not fetched (only http and https)",
                scheme.to_ascii_lowercase()
            ),
            false,
        ));
    }
    let uri: Uri = url
        .parse()
        .map_err(|_| refuse(url, "not a valid URL", false))?;
    check_uri(&uri, url, allow_private, allowed)
}

/// The port `uri` connects to.
fn port_of(uri: &Uri) -> u16 {
    let https = uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("https"));
    uri.port_u16().unwrap_or(if https { 443 } else { 80 })
}

fn check_uri(
    uri: &Uri,
    shown: &str,
    allow_private: bool,
    allowed: &[SocketAddr],
) -> Result<(), Refusal> {
    match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("http" | "https") => {}
        Some(other) => {
            return Err(refuse(
                shown,
                format!("the {other}: scheme is not fetched (only http and https)"),
                false,
            ));
        }
        None => return Err(refuse(shown, "not an absolute http(s) URL", false)),
    }
    let Some(authority) = uri.authority() else {
        return Err(refuse(shown, "no host", false));
    };
    if authority.as_str().contains('@') {
        return Err(refuse(
            shown,
            "the URL carries credentials (user:password@), which are never sent",
            false,
        ));
    }
    let host = authority.host();
    if host.is_empty() {
        return Err(refuse(shown, "no host", false));
    }
    if !allow_private {
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>()
            && let Some(why) = classify(ip)
            && !allowed.contains(&SocketAddr::new(ip, port_of(uri)))
        {
            return Err(refuse(shown, why, true));
        }
    }
    Ok(())
}

/// Looks a host name up (tests substitute their own to point names at local servers).
pub trait Lookup: Send + Sync + 'static {
    fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>>;
}

/// The system's resolver.
#[derive(Debug, Default)]
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        Ok((host, port).to_socket_addrs()?.collect())
    }
}

/// The resolver the agent connects through: resolves, then refuses the whole name when any of
/// its addresses is not public (unless allowed). Also refuses non-http(s) schemes and
/// credentials, so redirect hops get every check the first URL got.
pub(crate) struct PolicyResolver {
    pub allow_private: bool,
    /// Exact socket addresses let through whatever their class.
    pub allowed: Vec<SocketAddr>,
    /// `None`: ureq's own resolver (honours the agent's timeouts and IP family).
    pub lookup: Option<Arc<dyn Lookup>>,
}

impl fmt::Debug for PolicyResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyResolver")
            .field("allow_private", &self.allow_private)
            .field("custom_lookup", &self.lookup.is_some())
            .finish()
    }
}

impl Resolver for PolicyResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let shown = uri.to_string();
        let denied = |r: Refusal| ureq::Error::Other(Box::new(r));
        check_uri(uri, &shown, self.allow_private, &self.allowed).map_err(denied)?;
        let addrs = match &self.lookup {
            None => DefaultResolver::default().resolve(uri, config, timeout)?,
            Some(lookup) => {
                let host = uri
                    .host()
                    .unwrap_or("")
                    .trim_start_matches('[')
                    .trim_end_matches(']');
                let port = port_of(uri);
                let mut out = self.empty();
                // ureq keeps 16 addresses at most.
                for a in lookup.lookup(host, port)?.into_iter().take(16) {
                    out.push(a);
                }
                if out.is_empty() {
                    return Err(ureq::Error::HostNotFound);
                }
                out
            }
        };
        if !self.allow_private {
            let host = uri.host().unwrap_or("");
            for a in addrs.iter().filter(|a| !self.allowed.contains(a)) {
                if let Some(why) = classify(a.ip()) {
                    let reason = if host.trim_start_matches('[').trim_end_matches(']')
                        == a.ip().to_string()
                    {
                        why.to_string()
                    } else {
                        format!("{host} resolves to {}, a {why}", a.ip())
                    };
                    return Err(denied(refuse(&shown, reason, true)));
                }
            }
        }
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every special-purpose range, with its first and last address, and public neighbours.
    #[test]
    fn ipv4_addresses_are_classified() {
        let table: &[(&str, Option<&str>)] = &[
            ("0.0.0.0", Some("unspecified address")),
            ("0.255.255.255", Some("unspecified address")),
            ("1.1.1.1", None),
            ("8.8.8.8", None),
            ("9.255.255.255", None),
            ("10.0.0.0", Some("private address")),
            ("10.255.255.255", Some("private address")),
            ("11.0.0.0", None),
            ("100.63.255.255", None),
            ("100.64.0.0", Some("shared (carrier-grade NAT) address")),
            (
                "100.127.255.255",
                Some("shared (carrier-grade NAT) address"),
            ),
            ("100.128.0.0", None),
            ("126.255.255.255", None),
            ("127.0.0.1", Some("loopback address")),
            ("127.255.255.254", Some("loopback address")),
            ("128.0.0.0", None),
            ("169.253.255.255", None),
            ("169.254.0.1", Some("link-local address")),
            ("169.254.169.254", Some("link-local address")),
            ("169.255.0.0", None),
            ("172.15.255.255", None),
            ("172.16.0.0", Some("private address")),
            ("172.31.255.255", Some("private address")),
            ("172.32.0.0", None),
            ("192.0.0.8", Some("reserved (IETF protocol) address")),
            ("192.0.1.0", None),
            ("192.0.2.1", Some("documentation address")),
            ("192.88.99.1", Some("reserved (6to4 relay) address")),
            ("192.167.255.255", None),
            ("192.168.0.1", Some("private address")),
            ("192.168.255.255", Some("private address")),
            ("192.169.0.0", None),
            ("198.17.255.255", None),
            ("198.18.0.0", Some("reserved (benchmarking) address")),
            ("198.19.255.255", Some("reserved (benchmarking) address")),
            ("198.20.0.0", None),
            ("198.51.100.7", Some("documentation address")),
            ("203.0.113.9", Some("documentation address")),
            ("203.0.114.0", None),
            ("223.255.255.255", None),
            ("224.0.0.1", Some("multicast address")),
            ("239.255.255.255", Some("multicast address")),
            ("240.0.0.1", Some("reserved address")),
            ("255.255.255.254", Some("reserved address")),
            ("255.255.255.255", Some("broadcast address")),
        ];
        for (ip, want) in table {
            let ip: IpAddr = ip.parse().expect("test address");
            assert_eq!(classify(ip), *want, "{ip}");
        }
    }

    #[test]
    fn ipv6_addresses_are_classified() {
        let table: &[(&str, Option<&str>)] = &[
            ("::", Some("unspecified address")),
            ("::1", Some("loopback address")),
            ("2606:4700::1111", None),
            ("2001:4860:4860::8888", None),
            ("2a00:1450::1", None),
            ("3ffe::1", None),
            ("fc00::1", Some("unique local (private) address")),
            ("fd12:3456::1", Some("unique local (private) address")),
            ("fe80::1", Some("link-local address")),
            ("febf:ffff::1", Some("link-local address")),
            ("fec0::1", Some("site-local (private) address")),
            ("ff02::1", Some("multicast address")),
            ("ff0e::1", Some("multicast address")),
            ("2001:db8::1", Some("documentation address")),
            ("3fff::1", Some("documentation address")),
            ("100::1", Some("reserved (discard) address")),
            ("2001::1", Some("reserved (IETF protocol) address")),
            ("2001:1ff::1", Some("reserved (IETF protocol) address")),
            ("2001:200::1", None),
            ("64:ff9b:1::1", Some("private (local NAT64) address")),
            ("4000::1", Some("reserved address")),
            ("1::1", Some("reserved address")),
            // IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms reach their IPv4 address.
            (
                "::ffff:127.0.0.1",
                Some("loopback address (in an IPv6 form)"),
            ),
            ("::ffff:10.1.2.3", Some("private address (in an IPv6 form)")),
            (
                "::ffff:169.254.169.254",
                Some("link-local address (in an IPv6 form)"),
            ),
            (
                "::ffff:0.0.0.0",
                Some("unspecified address (in an IPv6 form)"),
            ),
            ("::ffff:8.8.8.8", None),
            ("::127.0.0.1", Some("loopback address (in an IPv6 form)")),
            ("::192.168.1.1", Some("private address (in an IPv6 form)")),
            ("::8.8.8.8", None),
            (
                "64:ff9b::7f00:1",
                Some("loopback address (in an IPv6 form)"),
            ),
            ("64:ff9b::808:808", None),
            ("2002:7f00:1::", Some("loopback address (in an IPv6 form)")),
            (
                "2002:a9fe:a9fe::1",
                Some("link-local address (in an IPv6 form)"),
            ),
            ("2002:808:808::1", None),
        ];
        for (ip, want) in table {
            let ip: IpAddr = ip.parse().expect("test address");
            assert_eq!(classify(ip), *want, "{ip}");
        }
    }

    #[test]
    fn every_ipv4_range_has_its_network_address_on_a_boundary() {
        for (net, len, why) in V4 {
            let bits = u32::from(Ipv4Addr::from(*net));
            let host_bits = u32::MAX.checked_shr(u32::from(*len)).unwrap_or(0);
            assert_eq!(bits & host_bits, 0, "{net:?}/{len} ({why})");
        }
    }

    #[test]
    fn urls_are_checked_before_any_connection() {
        let table: &[(&str, bool, Result<(), &str>)] = &[
            ("https://example.com/a", false, Ok(())),
            ("http://93.184.216.34/", false, Ok(())),
            (
                "http://127.0.0.1:8080/admin?secret=1",
                false,
                Err("loopback address"),
            ),
            ("http://127.0.0.1:8080/admin", true, Ok(())),
            ("http://[::1]/", false, Err("loopback address")),
            ("http://[::ffff:10.0.0.1]/", false, Err("in an IPv6 form")),
            (
                "http://169.254.169.254/latest/meta-data/",
                false,
                Err("link-local"),
            ),
            (
                "ftp://example.com/file",
                false,
                Err("the ftp: scheme is not fetched"),
            ),
            ("file:///etc/passwd", true, Err("scheme is not fetched")),
            ("http://user:pw@example.com/", false, Err("credentials")),
            ("http://user:pw@example.com/", true, Err("credentials")),
            ("/relative/path", false, Err("not an absolute")),
        ];
        for (url, allow, want) in table {
            let got = check_url(url, *allow, &[]);
            match (want, &got) {
                (Ok(()), Ok(())) => {}
                (Err(part), Err(r)) => {
                    assert!(r.to_string().contains(part), "{url}: {r}");
                    assert!(r.to_string().starts_with(&format!("refused {url}")), "{r}");
                }
                _ => panic!("{url} (allow {allow}): {got:?}, wanted {want:?}"),
            }
        }
        let r = check_url("http://127.0.0.1:9/x", false, &[]).expect_err("loopback");
        assert_eq!(
            r.to_string(),
            "refused http://127.0.0.1:9/x: loopback address; pass --allow-private-addresses \
             to fetch local addresses"
        );
        // One exact address can be let through; its neighbours cannot.
        let one: SocketAddr = "127.0.0.1:9".parse().expect("address");
        assert!(check_url("http://127.0.0.1:9/x", false, &[one]).is_ok());
        assert!(check_url("http://127.0.0.1:10/x", false, &[one]).is_err());
        assert!(check_url("http://127.0.0.2:9/x", false, &[one]).is_err());
    }
}
