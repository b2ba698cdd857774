//! Raw text to tokens with byte offsets, following Universal Dependencies' conventions:
//! English as UD English EWT writes it, Korean as UD Korean Kaist/GSD (eojeols).
//!
//! *Invariant:* token offsets are on character boundaries of the analysed text, strictly
//! increasing and never overlapping; whitespace is never inside a token. Tokenizing never
//! fails and never panics, whatever the input.

use crate::Lang;
use crate::sentence::{self, Sentence};

/// One token: a syntactic word as UD writes it, with the surface bytes it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte in the analysed text (on a char boundary).
    pub start: usize,
    /// Byte offset one past the last byte (on a char boundary).
    pub end: usize,
    /// The token as UD writes it. dyad keeps the surface spelling (`ca` + `n't` for `can't`,
    /// `gon` + `na` for `gonna`), so it always equals `&text[start..end]`.
    pub form: String,
    /// Whether whitespace (or the end of the text) follows the token.
    pub space_after: bool,
    /// Korean: the morphemes of the eojeol (see [`crate::korean`]); empty for English.
    pub morphs: Vec<Morph>,
}

/// One morpheme of a Korean eojeol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Morph {
    pub form: String,
    pub kind: MorphKind,
}

/// What a morpheme is: a stem (noun, verb or adjective root, or an unanalysed word), a
/// particle (josa, J*), an ending (eomi, E*), a suffix (X*), or anything else (punctuation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MorphKind {
    Stem,
    Particle,
    Ending,
    Suffix,
    Other,
}

impl MorphKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MorphKind::Stem => "stem",
            MorphKind::Particle => "particle",
            MorphKind::Ending => "ending",
            MorphKind::Suffix => "suffix",
            MorphKind::Other => "other",
        }
    }
}

/// Tokens of `text` and the sentences they form. Korean tokens carry their morphemes.
pub fn tokenize(text: &str, lang: Lang) -> (Vec<Token>, Vec<Sentence>) {
    let tokens = tokens(text, lang);
    let sentences = sentence::split(text, &tokens, lang);
    (tokens, sentences)
}

/// Only the tokens (no sentence splitting); Korean tokens carry their morphemes.
pub fn tokens(text: &str, lang: Lang) -> Vec<Token> {
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(text.len() / 5 + 1);
    for (s, e) in chunks(text) {
        match lang {
            Lang::En => en_chunk(text, s, e, &mut spans),
            Lang::Ko => ko_chunk(text, s, e, &mut spans),
        }
    }
    let mut out = Vec::with_capacity(spans.len());
    for (i, &(start, end)) in spans.iter().enumerate() {
        let next_start = spans.get(i + 1).map(|n| n.0);
        let space_after = next_start != Some(end);
        let form = text[start..end].to_string();
        let morphs = match lang {
            Lang::Ko => crate::korean::morphs(&form),
            Lang::En => Vec::new(),
        };
        out.push(Token {
            start,
            end,
            form,
            space_after,
            morphs,
        });
    }
    out
}

/// Whitespace-separated chunks as byte ranges.
fn chunks(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut it = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some(&(_, c)) = it.peek() {
            if is_space(c) {
                it.next();
            } else {
                break;
            }
        }
        let (s, _) = *it.peek()?;
        let mut e = s;
        while let Some(&(i, c)) = it.peek() {
            if is_space(c) {
                break;
            }
            e = i + c.len_utf8();
            it.next();
        }
        Some((s, e))
    })
}

pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}'
}

pub(crate) fn is_opening(c: char) -> bool {
    matches!(
        c,
        '(' | '['
            | '{'
            | '"'
            | '“'
            | '‘'
            | '«'
            | '`'
            | '¿'
            | '¡'
            | '<'
            | '「'
            | '『'
            | '《'
            | '〈'
            | '【'
            | '„'
    )
}

pub(crate) fn is_closing(c: char) -> bool {
    matches!(
        c,
        ')' | ']' | '}' | '"' | '”' | '’' | '\'' | '»' | '>' | '」' | '』' | '》' | '〉' | '】'
    )
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '―' | '‒')
}

fn is_currency(c: char) -> bool {
    matches!(c, '$' | '€' | '£' | '¥' | '₩' | '₹')
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// `http://…`, `https://…`, `www.…`, or an e-mail address (`a@b.c`).
fn is_url_or_email(s: &str) -> bool {
    let l = s.trim_start_matches(is_opening);
    let lower_starts = |p: &str| {
        l.len() >= p.len() && l.is_char_boundary(p.len()) && l[..p.len()].eq_ignore_ascii_case(p)
    };
    if lower_starts("http://") || lower_starts("https://") || lower_starts("www.") {
        return true;
    }
    if let Some(at) = l.find('@') {
        let (user, host) = (&l[..at], &l[at + 1..]);
        return !user.is_empty()
            && user
                .chars()
                .all(|c| c.is_alphanumeric() || "._-+".contains(c))
            && host.contains('.')
            && host.chars().next().is_some_and(char::is_alphanumeric);
    }
    false
}

fn first_char(s: &str) -> Option<char> {
    s.chars().next()
}

fn last_char(s: &str) -> Option<char> {
    s.chars().next_back()
}

/// Leading punctuation of a chunk, emitted one token per run; returns the new start.
fn peel_leading(
    text: &str,
    mut a: usize,
    b: usize,
    lang: Lang,
    out: &mut Vec<(usize, usize)>,
) -> usize {
    while a < b {
        let rest = &text[a..b];
        let Some(c) = first_char(rest) else { break };
        let cl = c.len_utf8();
        let next = rest[cl..].chars().next();
        let run_len = |pred: &dyn Fn(char) -> bool| -> usize {
            rest.char_indices()
                .find(|&(_, x)| !pred(x))
                .map_or(rest.len(), |(i, _)| i)
        };
        if c == '`' || (c == '\'' && next == Some('\'')) {
            let n = run_len(&|x| x == c);
            out.push((a, a + n));
            a += n;
        } else if c == '\'' || c == '‘' {
            // A clitic written alone ("'s") or a year ("'90s") is a word, not a quote.
            let tail = &rest[cl..];
            if next.is_some_and(|n| n.is_ascii_digit()) || is_clitic_word(tail) {
                break;
            }
            out.push((a, a + cl));
            a += cl;
        } else if is_opening(c)
            || matches!(
                c,
                '*' | '•' | '·' | '▲' | '■' | '●' | '◆' | '△' | '○' | '☞' | '▶' | '※'
            )
        {
            out.push((a, a + cl));
            a += cl;
        } else if is_dash(c) {
            let n = run_len(&|x| is_dash(x));
            if n == 1 && c == '-' && next.is_some_and(|n| n.is_ascii_digit()) {
                break; // a negative number
            }
            if n == rest.len() {
                break; // the whole chunk: emitted by the core
            }
            out.push((a, a + n));
            a += n;
        } else if is_currency(c) && lang == Lang::En && next.is_some_and(|n| n.is_ascii_digit()) {
            out.push((a, a + cl));
            a += cl;
        } else if c == '.' || c == '…' {
            let n = run_len(&|x| x == '.' || x == '…');
            if n == rest.len() || (n == 1 && c == '.' && next.is_some_and(|n| n.is_ascii_digit())) {
                break;
            }
            out.push((a, a + n));
            a += n;
        } else {
            break;
        }
    }
    a
}

fn is_clitic_word(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "s" | "re" | "ll" | "ve" | "m" | "d" | "t" | "em" | "n"
    )
}

fn en_chunk(text: &str, s: usize, e: usize, out: &mut Vec<(usize, usize)>) {
    let a = peel_leading(text, s, e, Lang::En, out);
    if a >= e {
        return;
    }
    let mut trail: Vec<(usize, usize)> = Vec::new();
    let mut b = e;
    let url = is_url_or_email(&text[a..b]);
    while b > a {
        let core = &text[a..b];
        let Some(c) = last_char(core) else { break };
        let cl = c.len_utf8();
        let prev = core[..core.len() - cl].chars().next_back();
        let run_back = |pred: &dyn Fn(char) -> bool| -> usize {
            core.char_indices()
                .rev()
                .find(|&(_, x)| !pred(x))
                .map_or(core.len(), |(i, x)| core.len() - i - x.len_utf8())
        };
        if url {
            if matches!(
                c,
                '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}' | '"' | '\'' | '”' | '’' | '>'
            ) {
                trail.push((b - cl, b));
                b -= cl;
                continue;
            }
            break;
        }
        if (c == '\'' || c == '’') && prev.is_some_and(|p| p == 's' || p == 'S') && core.len() > 2
        {
            // "students'": the possessive apostrophe is a token of its own.
            trail.push((b - cl, b));
            b -= cl;
        } else if is_closing(c) || matches!(c, ',' | ';' | ':' | '…') {
            if c == ':' && core.len() == 1 {
                break;
            }
            let n = if c == '\'' {
                run_back(&|x| x == '\'')
            } else {
                cl
            };
            if n == core.len() {
                break;
            }
            trail.push((b - n, b));
            b -= n;
        } else if c == '!' || c == '?' {
            let n = run_back(&|x| x == '!' || x == '?');
            if n == core.len() {
                break;
            }
            trail.push((b - n, b));
            b -= n;
        } else if c == '.' {
            let n = run_back(&|x| x == '.');
            if n == core.len() {
                break;
            }
            if n == 1 && crate::sentence::abbreviation(core).is_some() {
                break;
            }
            trail.push((b - n, b));
            b -= n;
        } else if c == '%' && prev.is_some_and(|p| p.is_ascii_digit()) {
            trail.push((b - cl, b));
            b -= cl;
        } else if is_dash(c) {
            let n = run_back(&|x| is_dash(x));
            if n == core.len() {
                break;
            }
            trail.push((b - n, b));
            b -= n;
        } else {
            break;
        }
    }
    if b > a {
        if url {
            out.push((a, b));
        } else {
            en_core(text, a, b, out);
        }
    }
    out.extend(trail.into_iter().rev());
}

/// Prefixes EWT keeps attached with their hyphen (`e-mail`, `co-workers`, `non-human`).
const HYPHEN_PREFIXES: &[&str] = &[
    "e", "co", "pre", "post", "non", "re", "anti", "mid", "ex", "multi", "semi", "pro", "un",
    "inter", "sub", "self", "vice", "x", "t", "u", "de", "bi", "tri", "uni", "mis",
];

/// Splits the core of a chunk at dashes, ellipses and hyphens between words, then clitics.
fn en_core(text: &str, a: usize, b: usize, out: &mut Vec<(usize, usize)>) {
    let core = &text[a..b];
    let chars: Vec<(usize, char)> = core.char_indices().collect();
    let mut seg_start = 0usize;
    let mut i = 0usize;
    let all_punct = !core.chars().any(is_word);
    if all_punct {
        // A chunk of punctuation: one token per run of one character.
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j].1;
            let mut k = j + 1;
            while k < chars.len()
                && (chars[k].1 == c || (c == '!' || c == '?') && matches!(chars[k].1, '!' | '?'))
            {
                k += 1;
            }
            let s = a + chars[j].0;
            let e = if k < chars.len() { a + chars[k].0 } else { b };
            out.push((s, e));
            j = k;
        }
        return;
    }
    while i < chars.len() {
        let (off, c) = chars[i];
        let prev = if i > 0 { Some(chars[i - 1].1) } else { None };
        let next = chars.get(i + 1).map(|x| x.1);
        let mut split_len = 0usize; // in chars
        if c == '-' {
            let seg = &core[seg_start..off];
            let both_words = prev.is_some_and(char::is_alphabetic) && next.is_some_and(is_word);
            let dashes = next == Some('-');
            if dashes {
                let mut k = i;
                while k < chars.len() && chars[k].1 == '-' {
                    k += 1;
                }
                split_len = k - i;
            } else if both_words
                && !HYPHEN_PREFIXES.contains(&seg.to_ascii_lowercase().as_str())
                && seg.chars().any(char::is_alphabetic)
            {
                split_len = 1;
            }
        } else if matches!(c, '–' | '—' | '―' | '…') {
            split_len = 1;
        } else if c == '.' && next == Some('.') {
            let mut k = i;
            while k < chars.len() && chars[k].1 == '.' {
                k += 1;
            }
            split_len = k - i;
        } else if c == '/'
            && prev.is_some_and(char::is_alphabetic)
            && next.is_some_and(char::is_alphabetic)
        {
            split_len = 1;
        }
        if split_len > 0 && i > 0 {
            if seg_start < off {
                clitics(text, a + seg_start, a + off, out);
            }
            let end = chars.get(i + split_len).map_or(core.len(), |x| x.0);
            out.push((a + off, a + end));
            seg_start = end;
            i += split_len;
        } else {
            i += 1;
        }
    }
    if seg_start < core.len() {
        clitics(text, a + seg_start, b, out);
    }
}

/// Where `w` ends with the clitic `cl` (written with a straight or a curly apostrophe, in any
/// ASCII case), the byte offset at which it starts.
fn clitic_start(w: &str, cl: &str) -> Option<usize> {
    [cl.to_string(), cl.replace('\'', "’")]
        .into_iter()
        .find_map(|v| {
            let k = w.len().checked_sub(v.len())?;
            (w.is_char_boundary(k) && w[k..].eq_ignore_ascii_case(&v)).then_some(k)
        })
}

/// Splits English clitics off a word as EWT does: `do|n't`, `ca|n't`, `I|'m`, `it|'s`,
/// `can|not`, `gon|na`.
fn clitics(text: &str, a: usize, b: usize, out: &mut Vec<(usize, usize)>) {
    let w = &text[a..b];
    let lower = w.to_lowercase();
    if lower.len() != w.len() {
        out.push((a, b));
        return;
    }
    let norm = lower.replace('’', "'");
    let mut cut: Option<usize> = None;
    if let Some(k) =
        clitic_start(w, "n't").filter(|&k| k > 0 && w[..k].chars().all(char::is_alphabetic))
    {
        cut = Some(k);
    } else if matches!(norm.as_str(), "cannot" | "gonna" | "gotta" | "wanna") {
        cut = Some(3);
    } else {
        for cl in ["'s", "'re", "'ll", "'ve", "'m", "'d"] {
            if let Some(k) = clitic_start(w, cl) {
                if k > 0 && w[..k].chars().next_back().is_some_and(is_word) {
                    cut = Some(k);
                }
                break;
            }
        }
    }
    match cut {
        Some(k) if k > 0 && k < w.len() && w.is_char_boundary(k) => {
            out.push((a, a + k));
            out.push((a + k, b));
        }
        _ => out.push((a, b)),
    }
}

/// Korean: an eojeol is a whitespace chunk with punctuation split off; punctuation between
/// two word characters (`1,500`, `9.6`, `B.C.`, `석유•화학제품`, `7~12mm`) stays inside.
fn ko_chunk(text: &str, s: usize, e: usize, out: &mut Vec<(usize, usize)>) {
    let chunk = &text[s..e];
    if is_url_or_email(chunk) {
        let a = peel_leading(text, s, e, Lang::Ko, out);
        let mut b = e;
        let mut trail = Vec::new();
        while b > a {
            let Some(c) = last_char(&text[a..b]) else {
                break;
            };
            if matches!(
                c,
                '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '"' | '\'' | '”' | '’' | '>'
            ) {
                trail.push((b - c.len_utf8(), b));
                b -= c.len_utf8();
            } else {
                break;
            }
        }
        if b > a {
            out.push((a, b));
        }
        out.extend(trail.into_iter().rev());
        return;
    }
    let chars: Vec<(usize, char)> = chunk.char_indices().collect();
    let n = chars.len();
    let mut word_start: Option<usize> = None;
    let mut i = 0;
    while i < n {
        let (off, c) = chars[i];
        let prev = if i > 0 { Some(chars[i - 1].1) } else { None };
        let next = chars.get(i + 1).map(|x| x.1);
        let connector = matches!(
            c,
            '.' | ',' | '~' | '-' | '•' | '·' | '/' | ':' | '_' | '&' | '@' | '+'
        ) && prev.is_some_and(is_word)
            && next.is_some_and(is_word)
            && word_start.is_some();
        // Latin initials keep their period ("B.C."), as Kaist writes them.
        let initial_dot = c == '.'
            && prev.is_some_and(|p| p.is_ascii_uppercase())
            && word_start.is_some_and(|w| {
                chars[i - 1].0 > w
                    && chunk[w..].starts_with(|x: char| x.is_ascii_uppercase())
                    && chunk[w..off].contains('.')
            });
        if is_word(c) || connector || initial_dot {
            if word_start.is_none() {
                word_start = Some(off);
            }
            i += 1;
            continue;
        }
        if let Some(w) = word_start.take() {
            out.push((s + w, s + off));
        }
        let mut k = i + 1;
        while k < n && chars[k].1 == c {
            k += 1;
        }
        let end = chars.get(k).map_or(chunk.len(), |x| x.0);
        out.push((s + off, s + end));
        i = k;
    }
    if let Some(w) = word_start {
        out.push((s + w, e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(text: &str, lang: Lang) -> Vec<String> {
        tokens(text, lang).into_iter().map(|t| t.form).collect()
    }

    #[test]
    fn regression_curly_apostrophes_before_a_clitic_split_inside_a_character() {
        // Two curly apostrophes in one word used to shift the clitic's offset into the middle of
        // the first one.
        let text = "3.5’s’scan't";
        let toks = tokens(text, Lang::En);
        assert!(
            toks.iter()
                .all(|t| text.is_char_boundary(t.start) && text.is_char_boundary(t.end))
        );
        assert_eq!(forms("Seoul’s plan", Lang::En), ["Seoul", "’s", "plan"]);
    }

    #[test]
    fn english_conventions() {
        assert_eq!(
            forms("I can't go, he said \"we're done.\"", Lang::En),
            [
                "I", "ca", "n't", "go", ",", "he", "said", "\"", "we", "'re", "done", ".", "\""
            ]
        );
        assert_eq!(
            forms("The U.S. paid $3.5 billion (12%).", Lang::En),
            [
                "The", "U.S.", "paid", "$", "3.5", "billion", "(", "12", "%", ")", "."
            ]
        );
        assert_eq!(
            forms("Dr. Kim's e-mail: kim@example.com.", Lang::En),
            ["Dr.", "Kim", "'s", "e-mail", ":", "kim@example.com", "."]
        );
        assert_eq!(
            forms("a search-engine gonna win", Lang::En),
            ["a", "search", "-", "engine", "gon", "na", "win"]
        );
        assert_eq!(
            forms("See https://x.org/a?b=1, then...", Lang::En),
            ["See", "https://x.org/a?b=1", ",", "then", "..."]
        );
        assert_eq!(
            forms("At 10:30 on 12/3/2025 -- 1,000 won", Lang::En),
            ["At", "10:30", "on", "12/3/2025", "--", "1,000", "won"]
        );
    }

    #[test]
    fn korean_eojeols() {
        assert_eq!(
            forms(
                "주요20개국(G20) 정상회의를 앞둔 \"전망\"이라며 1,500여년.",
                Lang::Ko
            ),
            [
                "주요20개국",
                "(",
                "G20",
                ")",
                "정상회의를",
                "앞둔",
                "\"",
                "전망",
                "\"",
                "이라며",
                "1,500여년",
                "."
            ]
        );
        assert_eq!(
            forms("B.C. 석유•화학제품 '북핵'을", Lang::Ko),
            ["B.C.", "석유•화학제품", "'", "북핵", "'", "을"]
        );
    }

    #[test]
    fn offsets_cover_surface() {
        let text = "He won’t — “ever”.";
        for t in tokens(text, Lang::En) {
            assert_eq!(&text[t.start..t.end], t.form);
        }
        assert_eq!(
            forms(text, Lang::En),
            ["He", "wo", "n’t", "—", "“", "ever", "”", "."]
        );
    }
}
