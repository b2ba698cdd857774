//! Property tests: whatever the text, tokenizing never panics, offsets are on character
//! boundaries and increase without overlap, each token's form is its surface, no token holds
//! whitespace, and the sentences cover the tokens in order, each token within its sentence.

use dyad_syntax::{Lang, tokenize};
use proptest::prelude::*;

fn check(text: &str, lang: Lang) -> Result<(), TestCaseError> {
    let (tokens, sentences) = tokenize(text, lang);
    let mut prev_end = 0;
    for t in &tokens {
        prop_assert!(t.start < t.end, "empty token {t:?}");
        prop_assert!(t.start >= prev_end, "overlap at {t:?}");
        prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        prop_assert_eq!(&text[t.start..t.end], t.form.as_str());
        prop_assert!(
            !t.form.chars().any(char::is_whitespace),
            "whitespace in {t:?}"
        );
        if lang == Lang::Ko {
            let joined: String = t.morphs.iter().map(|m| m.form.as_str()).collect();
            prop_assert_eq!(joined, t.form.clone());
        }
        prev_end = t.end;
    }
    let mut next = 0;
    for s in &sentences {
        prop_assert_eq!(s.tokens.start, next, "sentences must cover tokens in order");
        prop_assert!(s.tokens.end > s.tokens.start);
        for t in &tokens[s.tokens.clone()] {
            prop_assert!(s.start <= t.start && t.end <= s.end);
        }
        next = s.tokens.end;
    }
    prop_assert_eq!(next, tokens.len());
    Ok(())
}

/// Text made of the pieces the tokenizer cares about, in any order.
fn newsy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("U.S.".to_string()),
        Just("Dr.".to_string()),
        Just("can't".to_string()),
        Just("\"".to_string()),
        Just("“".to_string()),
        Just("’s".to_string()),
        Just("...".to_string()),
        Just("$3.5".to_string()),
        Just("15%".to_string()),
        Just("e-mail".to_string()),
        Just("https://x.org/a.".to_string()),
        Just("대통령은".to_string()),
        Just("밝혔다.".to_string()),
        Just("「".to_string()),
        Just("\n".to_string()),
        Just("- ".to_string()),
        Just("▲".to_string()),
        "[a-zA-Z가-힣0-9.,!?'\"()-]{1,8}",
    ];
    prop::collection::vec((piece, prop::bool::ANY), 0..40).prop_map(|v| {
        v.into_iter()
            .map(|(p, space)| if space { p + " " } else { p })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text(text in "\\PC{0,200}", ko in prop::bool::ANY) {
        check(&text, if ko { Lang::Ko } else { Lang::En })?;
    }

    #[test]
    fn news_like_text(text in newsy(), ko in prop::bool::ANY) {
        check(&text, if ko { Lang::Ko } else { Lang::En })?;
    }
}
