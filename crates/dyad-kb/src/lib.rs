//! The knowledge base: persons (with roles over time), organisations, countries, places and
//! offices, loaded from versioned TOML files (`data/kb/`) that users extend.
//!
//! **Invariants**
//! - Loading validates everything: a file that does not parse, an unknown key, a duplicate id
//!   within a file, a role naming an unknown office, country or organisation, or a malformed
//!   date is an error naming the file and the line. A loaded [`Kb`] is consistent.
//! - Later files override earlier ones entry by entry (same id): a user's file changes only
//!   what it names.
//! - Queries are pure; nothing here does IO after loading.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// The knowledge base shipped with dyad.
static EMBEDDED: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/../../data/kb");

#[derive(Debug, thiserror::Error)]
pub enum KbError {
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
}

/// What kind of thing an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Person,
    Organization,
    Country,
    Place,
}

impl Kind {
    /// The contract's type name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Organization => "organization",
            Kind::Country => "country",
            Kind::Place => "place",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Country {
    pub id: String,
    #[serde(default)]
    pub iso3: String,
    pub name: String,
    #[serde(default)]
    pub native: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub demonyms: Vec<String>,
    #[serde(default)]
    pub demonyms_ko: Vec<String>,
    /// Languages (ISO 639-1) whose news, unless it says otherwise, speaks of this country's
    /// offices: "외교부 장관" in a Korean article is South Korea's.
    #[serde(default)]
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Office {
    pub id: String,
    #[serde(default)]
    pub en: Vec<String>,
    #[serde(default)]
    pub ko: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub office: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub native: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Org {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub native: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub parent: String,
    /// Member states (country ids) of an alliance, grouping or international organisation.
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub native: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub country: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: String,
    #[serde(default)]
    country: Vec<Country>,
    #[serde(default)]
    office: Vec<Office>,
    #[serde(default)]
    person: Vec<Person>,
    #[serde(default)]
    org: Vec<Org>,
    #[serde(default)]
    place: Vec<Place>,
}

/// A reference to one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryRef {
    Person(usize),
    Org(usize),
    Country(usize),
    Place(usize),
}

/// The names of an entry, whatever its kind.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    pub id: &'a str,
    pub kind: Kind,
    pub name: &'a str,
    pub native: &'a str,
    pub aliases: &'a [String],
}

/// Where an entry was defined, for error messages.
#[derive(Debug, Clone)]
struct Origin {
    file: String,
    line: usize,
}

/// The loaded, validated knowledge base.
#[derive(Debug, Clone, Default)]
pub struct Kb {
    /// Versions of the files loaded, `file@version`, in load order.
    pub versions: Vec<String>,
    pub countries: Vec<Country>,
    pub offices: Vec<Office>,
    pub persons: Vec<Person>,
    pub orgs: Vec<Org>,
    pub places: Vec<Place>,
    by_id: HashMap<String, EntryRef>,
}

impl Kb {
    /// The knowledge base shipped with dyad.
    pub fn embedded() -> Result<Kb, KbError> {
        let mut files: Vec<(String, String)> = Vec::new();
        collect_embedded(&EMBEDDED, &mut files);
        files.sort();
        Kb::from_sources(&files)
    }

    /// The shipped knowledge base, extended by every `*.toml` in each directory or file given,
    /// in order.
    pub fn load(extra: &[&Path]) -> Result<Kb, KbError> {
        let mut files: Vec<(String, String)> = Vec::new();
        collect_embedded(&EMBEDDED, &mut files);
        files.sort();
        for p in extra {
            let mut found = Vec::new();
            if p.is_dir() {
                let mut entries: Vec<_> = std::fs::read_dir(p)
                    .map_err(|source| KbError::Io {
                        file: p.display().to_string(),
                        source,
                    })?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                    .collect();
                entries.sort();
                found.extend(entries);
            } else {
                found.push(p.to_path_buf());
            }
            for f in found {
                let text = std::fs::read_to_string(&f).map_err(|source| KbError::Io {
                    file: f.display().to_string(),
                    source,
                })?;
                files.push((f.display().to_string(), text));
            }
        }
        Kb::from_sources(&files)
    }

    /// Builds a knowledge base from `(file name, TOML text)` pairs, later entries overriding
    /// earlier ones with the same id.
    pub fn from_sources(files: &[(String, String)]) -> Result<Kb, KbError> {
        let mut kb = Kb::default();
        let mut origins: HashMap<String, Origin> = HashMap::new();
        for (name, text) in files {
            let parsed: File = toml::from_str(text).map_err(|e| KbError::Invalid {
                file: name.clone(),
                line: e.span().map_or(0, |s| line_of(text, s.start)),
                message: e.message().to_string(),
            })?;
            kb.versions
                .push(format!("{}@{}", short_name(name), parsed.version));
            let mut seen_here: HashMap<String, usize> = HashMap::new();
            let mut origin = |id: &str, kind: &str| -> Result<(), KbError> {
                let line = find_id_line(text, id);
                if id.trim().is_empty() {
                    return Err(KbError::Invalid {
                        file: name.clone(),
                        line,
                        message: format!("a {kind} has an empty id"),
                    });
                }
                if let Some(first) = seen_here.insert(id.to_string(), line) {
                    return Err(KbError::Invalid {
                        file: name.clone(),
                        line,
                        message: format!("duplicate id {id:?} (first at line {first})"),
                    });
                }
                origins.insert(
                    id.to_string(),
                    Origin {
                        file: name.clone(),
                        line,
                    },
                );
                Ok(())
            };
            for c in parsed.country {
                origin(&c.id, "country")?;
                upsert(&mut kb.countries, c, |x| &x.id);
            }
            for o in parsed.office {
                origin(&o.id, "office")?;
                upsert(&mut kb.offices, o, |x| &x.id);
            }
            for p in parsed.person {
                origin(&p.id, "person")?;
                upsert(&mut kb.persons, p, |x| &x.id);
            }
            for o in parsed.org {
                origin(&o.id, "org")?;
                upsert(&mut kb.orgs, o, |x| &x.id);
            }
            for p in parsed.place {
                origin(&p.id, "place")?;
                upsert(&mut kb.places, p, |x| &x.id);
            }
        }
        kb.index();
        kb.validate(&origins)?;
        Ok(kb)
    }

    fn index(&mut self) {
        self.by_id.clear();
        for (i, x) in self.countries.iter().enumerate() {
            self.by_id.insert(x.id.clone(), EntryRef::Country(i));
        }
        for (i, x) in self.persons.iter().enumerate() {
            self.by_id.insert(x.id.clone(), EntryRef::Person(i));
        }
        for (i, x) in self.orgs.iter().enumerate() {
            self.by_id.insert(x.id.clone(), EntryRef::Org(i));
        }
        for (i, x) in self.places.iter().enumerate() {
            self.by_id.insert(x.id.clone(), EntryRef::Place(i));
        }
    }

    fn validate(&self, origins: &HashMap<String, Origin>) -> Result<(), KbError> {
        let err = |id: &str, message: String| {
            let o = origins.get(id).cloned().unwrap_or(Origin {
                file: "(knowledge base)".into(),
                line: 0,
            });
            KbError::Invalid {
                file: o.file,
                line: o.line,
                message,
            }
        };
        let office_ids: std::collections::HashSet<&str> =
            self.offices.iter().map(|o| o.id.as_str()).collect();
        let is_country = |c: &str| matches!(self.by_id.get(c), Some(EntryRef::Country(_)));
        let is_org = |c: &str| matches!(self.by_id.get(c), Some(EntryRef::Org(_)));
        for p in &self.persons {
            if p.name.trim().is_empty() {
                return Err(err(&p.id, format!("person {:?} has no name", p.id)));
            }
            if !p.country.is_empty() && !is_country(&p.country) {
                return Err(err(
                    &p.id,
                    format!("{}: unknown country {:?}", p.id, p.country),
                ));
            }
            if !matches!(p.gender.as_str(), "" | "male" | "female") {
                return Err(err(
                    &p.id,
                    format!("{}: gender must be male or female", p.id),
                ));
            }
            for r in &p.roles {
                if !office_ids.contains(r.office.as_str()) {
                    return Err(err(
                        &p.id,
                        format!("{}: unknown office {:?}", p.id, r.office),
                    ));
                }
                if !r.country.is_empty() && !is_country(&r.country) {
                    return Err(err(
                        &p.id,
                        format!("{}: unknown country {:?}", p.id, r.country),
                    ));
                }
                if !r.org.is_empty() && !is_org(&r.org) {
                    return Err(err(
                        &p.id,
                        format!("{}: unknown organization {:?}", p.id, r.org),
                    ));
                }
                for d in [&r.from, &r.to] {
                    if !valid_date(d) {
                        return Err(err(
                            &p.id,
                            format!("{}: bad date {d:?} (YYYY, YYYY-MM or YYYY-MM-DD)", p.id),
                        ));
                    }
                }
                if !r.from.is_empty() && !r.to.is_empty() && lower(&r.from) > upper(&r.to) {
                    return Err(err(
                        &p.id,
                        format!("{}: role {} ends before it starts", p.id, r.office),
                    ));
                }
            }
        }
        for o in &self.orgs {
            if !o.country.is_empty() && !is_country(&o.country) {
                return Err(err(
                    &o.id,
                    format!("{}: unknown country {:?}", o.id, o.country),
                ));
            }
            if let Some(m) = o.members.iter().find(|m| !is_country(m)) {
                return Err(err(
                    &o.id,
                    format!("{}: unknown member country {:?}", o.id, m),
                ));
            }
            if !o.parent.is_empty() && !is_org(&o.parent) {
                return Err(err(
                    &o.id,
                    format!("{}: unknown parent {:?}", o.id, o.parent),
                ));
            }
        }
        for p in &self.places {
            if !p.country.is_empty() && !is_country(&p.country) {
                return Err(err(
                    &p.id,
                    format!("{}: unknown country {:?}", p.id, p.country),
                ));
            }
        }
        Ok(())
    }

    /// The number of entries (persons, organisations, countries and places).
    pub fn len(&self) -> usize {
        self.persons.len() + self.orgs.len() + self.countries.len() + self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, id: &str) -> Option<EntryRef> {
        self.by_id.get(id).copied()
    }

    /// The names of an entry.
    pub fn names(&self, r: EntryRef) -> Names<'_> {
        match r {
            EntryRef::Person(i) => {
                let x = &self.persons[i];
                Names {
                    id: &x.id,
                    kind: Kind::Person,
                    name: &x.name,
                    native: &x.native,
                    aliases: &x.aliases,
                }
            }
            EntryRef::Org(i) => {
                let x = &self.orgs[i];
                Names {
                    id: &x.id,
                    kind: Kind::Organization,
                    name: &x.name,
                    native: &x.native,
                    aliases: &x.aliases,
                }
            }
            EntryRef::Country(i) => {
                let x = &self.countries[i];
                Names {
                    id: &x.id,
                    kind: Kind::Country,
                    name: &x.name,
                    native: &x.native,
                    aliases: &x.aliases,
                }
            }
            EntryRef::Place(i) => {
                let x = &self.places[i];
                Names {
                    id: &x.id,
                    kind: Kind::Place,
                    name: &x.name,
                    native: &x.native,
                    aliases: &x.aliases,
                }
            }
        }
    }

    /// Every entry, in a stable order.
    pub fn entries(&self) -> impl Iterator<Item = EntryRef> + '_ {
        (0..self.persons.len())
            .map(EntryRef::Person)
            .chain((0..self.orgs.len()).map(EntryRef::Org))
            .chain((0..self.countries.len()).map(EntryRef::Country))
            .chain((0..self.places.len()).map(EntryRef::Place))
    }

    /// Entries whose name, native name or an alias equals `name` (case, spacing, hyphens and
    /// punctuation ignored); with `on`, persons are listed with the roles they held that day.
    pub fn lookup(&self, name: &str) -> Vec<EntryRef> {
        let key = name_key(name);
        if key.is_empty() {
            return Vec::new();
        }
        self.entries()
            .filter(|&r| {
                let n = self.names(r);
                name_key(n.name) == key
                    || name_key(n.native) == key
                    || n.aliases.iter().any(|a| name_key(a) == key)
            })
            .collect()
    }

    /// The roles a person held on a date (`YYYY[-MM[-DD]]`).
    pub fn roles_on<'a>(
        &'a self,
        person: &'a Person,
        on: &'a str,
    ) -> impl Iterator<Item = &'a Role> + 'a {
        person.roles.iter().filter(move |r| held_on(r, on))
    }

    /// Persons who held `office` for `country` on a date.
    pub fn holders(&self, office: &str, country: &str, on: &str) -> Vec<usize> {
        self.persons
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.roles.iter().any(|r| {
                    r.office == office
                        && (country.is_empty() || r.country == country)
                        && held_on(r, on)
                })
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Persons who ever held `office` (for `country`, if given).
    pub fn ever_held(&self, office: &str, country: &str) -> Vec<usize> {
        self.persons
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.roles
                    .iter()
                    .any(|r| r.office == office && (country.is_empty() || r.country == country))
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// Whether a role was held on a date of any precision: the role's span and the date's span
/// overlap.
pub fn held_on(r: &Role, on: &str) -> bool {
    if on.is_empty() {
        return r.to.is_empty();
    }
    let (on_lo, on_hi) = (lower(on), upper(on));
    let from_ok = r.from.is_empty() || lower(&r.from) <= on_hi;
    let to_ok = r.to.is_empty() || upper(&r.to) >= on_lo;
    from_ok && to_ok
}

/// The first day a date of any precision covers, as `YYYY-MM-DD`.
fn lower(d: &str) -> String {
    match d.len() {
        4 => format!("{d}-01-01"),
        7 => format!("{d}-01"),
        _ => d.get(..10).unwrap_or(d).to_string(),
    }
}

/// The last day a date of any precision covers (months padded to 31; string order is enough).
fn upper(d: &str) -> String {
    match d.len() {
        4 => format!("{d}-12-31"),
        7 => format!("{d}-31"),
        _ => d.get(..10).unwrap_or(d).to_string(),
    }
}

fn valid_date(d: &str) -> bool {
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    match b.len() {
        0 => true,
        4 => digits(0..4),
        7 => digits(0..4) && b[4] == b'-' && digits(5..7),
        10 => digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10),
        _ => false,
    }
}

/// Names compared without case, spacing, hyphens, dots or apostrophes.
pub fn name_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn upsert<T>(v: &mut Vec<T>, item: T, id: impl Fn(&T) -> &String) {
    match v.iter().position(|x| id(x) == id(&item)) {
        Some(i) => v[i] = item,
        None => v.push(item),
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

fn find_id_line(text: &str, id: &str) -> usize {
    let needle = format!("\"{id}\"");
    text.lines()
        .position(|l| l.trim_start().starts_with("id") && l.contains(&needle))
        .map_or(0, |i| i + 1)
}

fn short_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn collect_embedded(dir: &include_dir::Dir<'static>, out: &mut Vec<(String, String)>) {
    for f in dir.files() {
        if f.path().extension().is_some_and(|e| e == "toml")
            && let Some(text) = f.contents_utf8()
        {
            out.push((format!("data/kb/{}", f.path().display()), text.to_string()));
        }
    }
    for d in dir.dirs() {
        collect_embedded(d, out);
    }
}

#[cfg(test)]
mod tests;
