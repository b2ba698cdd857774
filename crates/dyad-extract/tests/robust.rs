//! Extraction never fails on a document: whatever the text, every stage returns, and every
//! offset it writes lies on a character boundary of the text and inside it.

use std::sync::OnceLock;

use dyad_extract::{EntityLexicon, Extractor};
use dyad_kb::Kb;
use dyad_model::Document;
use proptest::prelude::*;

fn extractor() -> &'static Extractor {
    static E: OnceLock<Extractor> = OnceLock::new();
    E.get_or_init(|| {
        Extractor::new(
            Kb::embedded().expect("embedded KB loads"),
            EntityLexicon::default(),
        )
    })
}

fn doc(text: String) -> Document {
    Document {
        published: Some("2025-11-01".into()),
        ..Document::new("prop.txt", None, text)
    }
}

/// Pieces that exercise every stage: names, triggers, cues, quotes, bullets, Korean.
const PIECES: &[&str] = &[
    "President Lee Jae-myung ",
    "Trump ",
    "met ",
    "agreed to ",
    "will invest $350 billion ",
    "\"We will keep working,\" he said. ",
    "이재명 대통령은 ",
    "트럼프 대통령과 ",
    "정상회담을 ",
    "하기로 합의했다. ",
    "\"협의를 서두르겠다\"고 밝혔다. ",
    "\n- ",
    "\n\n",
    "Seoul ",
    "in Seoul ",
    "the two countries ",
    "demanded ",
    "by 2030 ",
    "on October 29 ",
    "summit ",
    "’s ",
    "“",
    "”",
    "Fact Sheet\n",
    "The United States will:\n",
    "North Korea fired a missile. ",
    "관세 15% ",
    "could ",
    "not ",
    "Japan welcomed ",
    "Kim ",
    "J. ",
    "한",
    "é",
    "🙂",
    ": ",
    "; ",
    ", ",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn extraction_never_panics_and_offsets_are_boundaries(
        picks in proptest::collection::vec(0..PIECES.len(), 0..60),
        noise in "\\PC{0,40}",
    ) {
        let mut text: String = picks.iter().map(|&i| PIECES[i]).collect();
        text.push_str(&noise);
        let mut d = doc(text);
        extractor().extract(&mut d);
        let t = &d.text;
        let ok = |s: usize, e: usize| s <= e && e <= t.len() && t.is_char_boundary(s) && t.is_char_boundary(e);
        for e in &d.events {
            prop_assert!(ok(e.start, e.end));
            prop_assert_eq!(&t[e.start..e.end], e.text.as_str());
            prop_assert!(e.mentions.iter().all(|m| ok(m.start, m.end)));
        }
        for c in &d.commitments {
            prop_assert!(ok(c.start, c.end));
            prop_assert!(!c.holders.is_empty());
        }
        for q in &d.quotes {
            prop_assert!(ok(q.start, q.end));
        }
        let tone = d.tone.expect("tone is always set");
        prop_assert!((-1.0..=1.0).contains(&tone.score));
    }
}

#[test]
fn official_text_yields_one_commitment_per_bullet_with_lead_in_holders() {
    let text = "Joint Fact Sheet on Trade\n\nThe United States will:\n- Apply a tariff of 15 percent to most goods.\n- Treat partner chips no less favourably than others.\n\nThe Republic of Korea will:\n- Invest $350 billion in the United States by 2029.\n\nThis fact sheet does not create legally binding obligations.";
    let mut d = doc(text.to_string());
    extractor().extract(&mut d);
    let got: Vec<(Vec<String>, Option<String>)> = d
        .commitments
        .iter()
        .map(|c| (c.holders.clone(), c.amount.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                vec!["United States".to_string()],
                Some("15 percent".to_string())
            ),
            (vec!["United States".to_string()], None),
            (
                vec!["South Korea".to_string()],
                Some("$350 billion".to_string())
            ),
        ],
        "{:#?}",
        d.commitments
    );
    assert!(
        d.commitments
            .iter()
            .all(|c| c.legal_force.as_deref() == Some("non_binding"))
    );
    assert_eq!(d.commitments[2].due.as_deref(), Some("2029"));
}

#[test]
fn one_event_per_real_world_event_with_status_and_date() {
    let text = "President Lee Jae-myung met President Donald Trump in Gyeongju on October 29. \
                The summit between Lee and Trump lasted two hours. \
                Trump hinted at the possibility of meeting Kim Jong Un. \
                North Korea fired a ballistic missile on Friday.";
    let mut d = doc(text.to_string());
    d.published = Some("2025-11-01".into());
    extractor().extract(&mut d);
    let consult: Vec<_> = d.events.iter().filter(|e| e.kind == "CONSULT").collect();
    assert_eq!(consult.len(), 2, "{:#?}", d.events);
    assert_eq!(consult[0].date.as_deref(), Some("2025-10-29"));
    assert_eq!(consult[0].status, "occurred");
    assert_eq!(
        consult[0].mentions.len(),
        2,
        "the second sentence is the same summit"
    );
    assert_eq!(consult[1].status, "hypothetical");
    assert!(consult[1].actors.iter().any(|a| a == "Kim Jong Un"));
    let launch = d
        .events
        .iter()
        .find(|e| e.kind == "MOBILIZE")
        .expect("launch");
    assert!(launch.actors.iter().any(|a| a == "North Korea"));
    assert_eq!(launch.date.as_deref(), Some("2025-10-31"));
}

#[test]
fn news_commitments_have_kind_holders_and_clauses() {
    let text = "The document confirms that South Korea will invest $350 billion in the United States, \
                and that the U.S. will apply a 15 percent tariff to most Korean goods. \
                Park said South Korea and the United States would soon open working-level talks. \
                The alliance will likely emphasize deterrence.";
    let mut d = doc(text.to_string());
    extractor().extract(&mut d);
    let got: Vec<(&str, Vec<&str>)> = d
        .commitments
        .iter()
        .map(|c| {
            (
                c.kind.as_str(),
                c.holders.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("agreement", vec!["South Korea"]),
            ("agreement", vec!["United States"]),
            ("plan", vec!["South Korea", "United States"]),
        ],
        "{:#?}",
        d.commitments
    );
    assert!(
        d.commitments[1]
            .text
            .starts_with("that the U.S. will apply")
    );
    assert_eq!(d.commitments[0].amount.as_deref(), Some("$350 billion"));
}

/// Inputs that grow: each shape repeated `n` times.
fn scaled(shape: &str, n: usize) -> String {
    let unit = match shape {
        "lines" => "Seoul said on Monday.\nWashington said on Tuesday.\n",
        "surname" => "Lee spoke. ",
        "quotes" => "\"We will keep working,\" Lee said. ",
        "officials" => "The defense minister said the South Korean president will visit. ",
        "events" => {
            "South Korea and the United States agreed to hold a summit in Seoul on October 29.\n\n"
        }
        "paragraph" => "Seoul said Trump met Lee and he ",
        "korean" => "이재명대통령은트럼프대통령과정상회담을",
        "pronouns" => "Seoul and Tokyo and Beijing talked and she ",
        _ => unreachable!("unknown shape {shape}"),
    };
    format!("President Lee Jae-myung arrived. {}", unit.repeat(n))
}

/// Comparisons made extracting one document (this thread's counter is shared by nothing else).
fn comparisons_for(text: String) -> u64 {
    let before = dyad_extract::comparisons();
    let mut d = doc(text);
    extractor().extract(&mut d);
    dyad_extract::comparisons() - before
}

#[test]
fn doubling_a_document_about_doubles_the_searches_of_every_stage() {
    for shape in [
        "lines",
        "surname",
        "quotes",
        "officials",
        "events",
        "paragraph",
        "korean",
        "pronouns",
    ] {
        let one = comparisons_for(scaled(shape, 400));
        let two = comparisons_for(scaled(shape, 800));
        assert!(
            two <= one * 5 / 2 + 100,
            "{shape}: {one} comparisons for 400 repeats, {two} for 800 (super-linear)"
        );
        assert!(two > one, "{shape}: the counter counts ({one}, {two})");
    }
}

#[test]
fn a_document_over_its_time_budget_is_refused_naming_the_budget() {
    let budget = dyad_extract::Budget {
        time: std::time::Duration::from_nanos(1),
        ..dyad_extract::Budget::default()
    };
    let mut d = doc(scaled("lines", 5_000));
    let err = extractor()
        .extract_within(&mut d, &budget)
        .expect_err("a nanosecond is never enough");
    let msg = err.to_string();
    assert!(
        msg.starts_with("document exceeds the extraction budget: ") && msg.contains("0 ms allowed"),
        "{msg}"
    );
    assert!(d.entities.is_empty() && d.times.is_empty() && d.tone.is_none());
    // The same document within the default budget is extracted as without any.
    let mut within = doc(scaled("lines", 50));
    let mut plain = within.clone();
    extractor()
        .extract_within(&mut within, &dyad_extract::Budget::default())
        .expect("a small document fits the default budget");
    extractor().extract(&mut plain);
    assert_eq!(within, plain);
}

#[test]
fn documents_over_a_size_cap_are_refused_naming_the_cap() {
    let cases = [
        (
            dyad_extract::Budget {
                max_sentences: 100,
                ..dyad_extract::Budget::default()
            },
            "1001 sentences, more than the 100 allowed",
        ),
        (
            dyad_extract::Budget {
                max_mentions: 50,
                ..dyad_extract::Budget::default()
            },
            "entity mentions, more than the 50 allowed",
        ),
        (
            dyad_extract::Budget {
                max_text_bytes: 1_000,
                ..dyad_extract::Budget::default()
            },
            "bytes, more than the 1000 bytes allowed",
        ),
    ];
    for (budget, says) in cases {
        let mut d = doc("Seoul said on Monday.\n".repeat(1_000));
        d.text = format!("Lee met Trump.\n{}", d.text);
        let err = extractor()
            .extract_within(&mut d, &budget)
            .expect_err("over the cap");
        assert!(err.to_string().contains(says), "{err}");
    }
    assert!(dyad_extract::Budget::default().validate().is_ok());
    let zero = dyad_extract::Budget {
        max_mentions: 0,
        ..dyad_extract::Budget::default()
    };
    assert!(zero.validate().is_err());
}
