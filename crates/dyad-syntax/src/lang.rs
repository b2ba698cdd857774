//! The languages the linguistic layer knows.

/// A language with its own tokenizer conventions and models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// The ISO 639-1 code (`en`, `ko`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// The language of an ISO 639-1 code or a name, if it is one of ours.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" | "eng" | "english" => Some(Lang::En),
            "ko" | "kor" | "korean" => Some(Lang::Ko),
            _ => None,
        }
    }
}
