use super::*;

const BASE: &str = r#"
version = "1"
[[country]]
id = "KR"
name = "South Korea"
aliases = ["ROK"]
[[office]]
id = "president"
en = ["president"]
[[person]]
id = "yoon"
name = "Yoon Suk Yeol"
country = "KR"
[[person.roles]]
office = "president"
country = "KR"
from = "2022-05-10"
to = "2025-04-04"
[[person]]
id = "lee"
name = "Lee Jae-myung"
native = "이재명"
aliases = ["Lee Jae Myung"]
country = "KR"
[[person.roles]]
office = "president"
country = "KR"
from = "2025-06-04"
"#;

fn kb(files: &[(&str, &str)]) -> Result<Kb, KbError> {
    let owned: Vec<(String, String)> = files
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    Kb::from_sources(&owned)
}

#[test]
fn roles_resolve_by_date() {
    let kb = kb(&[("base.toml", BASE)]).expect("valid");
    let name = |v: Vec<usize>| {
        v.iter()
            .map(|&i| kb.persons[i].name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        name(kb.holders("president", "KR", "2024-03-15")),
        ["Yoon Suk Yeol"]
    );
    assert_eq!(
        name(kb.holders("president", "KR", "2025-11")),
        ["Lee Jae-myung"]
    );
    assert!(
        kb.holders("president", "KR", "2025-05-01").is_empty(),
        "the interregnum"
    );
    // A year-precision date overlaps both terms.
    assert_eq!(kb.holders("president", "KR", "2025").len(), 2);
}

#[test]
fn lookup_ignores_case_spacing_and_hyphens() {
    let kb = kb(&[("base.toml", BASE)]).expect("valid");
    for q in ["lee jae myung", "Lee Jae-Myung", "이재명", "LEEJAEMYUNG"] {
        let hits = kb.lookup(q);
        assert_eq!(hits.len(), 1, "{q}");
        assert_eq!(kb.names(hits[0]).id, "lee");
    }
    assert!(kb.lookup("Lee").is_empty(), "a bare surname is not a name");
}

#[test]
fn later_files_override_by_id() {
    let user = r#"
version = "team-1"
[[person]]
id = "lee"
name = "Lee Jae-myung"
aliases = ["LJM"]
country = "KR"
"#;
    let kb = kb(&[("base.toml", BASE), ("mine.toml", user)]).expect("valid");
    assert_eq!(kb.persons.len(), 2);
    assert_eq!(kb.lookup("LJM").len(), 1);
    assert!(kb.versions.iter().any(|v| v == "mine.toml@team-1"));
}

#[test]
fn errors_name_the_file_and_line() {
    let bad_office = BASE.replace(
        "office = \"president\"\ncountry = \"KR\"\nfrom = \"2025-06-04\"",
        "office = \"emperor\"\ncountry = \"KR\"\nfrom = \"2025-06-04\"",
    );
    let e = kb(&[("kr.toml", &bad_office)])
        .expect_err("unknown office")
        .to_string();
    assert!(
        e.starts_with("kr.toml:20:") && e.contains("unknown office \"emperor\""),
        "{e}"
    );

    let e = kb(&[(
        "x.toml",
        "version = \"1\"\n[[person]]\nid = \"a\"\nname = \"A\"\nbogus = 1\n",
    )])
    .expect_err("unknown key")
    .to_string();
    assert!(e.starts_with("x.toml:5:") && e.contains("bogus"), "{e}");

    let dup = "version = \"1\"\n[[place]]\nid = \"p\"\nname = \"P\"\n[[place]]\nid = \"p\"\nname = \"Q\"\n";
    let e = kb(&[("d.toml", dup)]).expect_err("duplicate").to_string();
    assert!(e.contains("duplicate id \"p\""), "{e}");

    let bad_date = BASE.replace("2025-04-04", "April 2025");
    let e = kb(&[("k.toml", &bad_date)])
        .expect_err("bad date")
        .to_string();
    assert!(e.contains("bad date"), "{e}");
}

#[test]
fn the_shipped_knowledge_base_is_valid_and_large() {
    let kb = Kb::embedded().expect("the shipped knowledge base is valid");
    assert!(kb.len() >= 400, "only {} entries", kb.len());
    let president = |on: &str| -> Vec<String> {
        kb.holders("president", "KR", on)
            .iter()
            .map(|&i| kb.persons[i].name.clone())
            .collect()
    };
    assert_eq!(president("2024-03-15"), ["Yoon Suk Yeol"]);
    assert_eq!(president("2025-11-01"), ["Lee Jae-myung"]);
    assert_eq!(president("2019-06-30"), ["Moon Jae-in"]);
    let us = |on: &str| -> Vec<String> {
        kb.holders("president", "US", on)
            .iter()
            .map(|&i| kb.persons[i].name.clone())
            .collect()
    };
    assert_eq!(us("2024-03-15"), ["Joe Biden"]);
    assert_eq!(us("2025-10-29"), ["Donald Trump"]);
}

#[test]
fn grouping_members_must_be_known_countries() {
    let good = format!(
        "{BASE}\n[[org]]\nid = \"quad\"\nname = \"Quad\"\nkind = \"international\"\nmembers = [\"KR\"]\n"
    );
    let loaded = kb(&[("base.toml", &good)]).expect("valid");
    let quad = loaded.orgs.iter().find(|o| o.id == "quad").expect("quad");
    assert_eq!(quad.members, ["KR"]);
    let bad = good.replace("members = [\"KR\"]", "members = [\"XX\"]");
    let e = kb(&[("base.toml", &bad)])
        .expect_err("unknown member")
        .to_string();
    assert!(e.contains("unknown member country \"XX\""), "{e}");
}
