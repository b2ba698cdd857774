//! The per-document extraction budget: a wall-clock allowance checked cooperatively by the
//! stages (between stages, and between sentences or paragraphs inside them), plus caps on what
//! grows with the input (text size, sentences, entity mentions). A document over any of them
//! is refused with an [`OverBudget`] naming the limit; nothing is killed, and the stages only
//! ever stop at a sentence boundary.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// Limits on the work extraction does for one document. Every field is checked by
/// [`Budget::validate`]; the defaults leave ordinary news articles (a few hundred sentences)
/// far below every cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Wall-clock time for all the stages of one document.
    pub time: Duration,
    /// Largest clean text extraction accepts, in bytes.
    pub max_text_bytes: usize,
    /// Most sentences (lines split at sentence ends) a document may have.
    pub max_sentences: usize,
    /// Most entity mentions a document may have after linking and coreference.
    pub max_mentions: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            time: Duration::from_secs(20),
            max_text_bytes: 8 << 20,
            max_sentences: 100_000,
            max_mentions: 200_000,
        }
    }
}

impl Budget {
    /// No limits: what [`crate::Extractor::extract`] runs with.
    pub fn unlimited() -> Budget {
        Budget {
            time: Duration::MAX,
            max_text_bytes: usize::MAX,
            max_sentences: usize::MAX,
            max_mentions: usize::MAX,
        }
    }

    /// Every limit must be positive.
    pub fn validate(&self) -> Result<(), String> {
        if self.time.is_zero() {
            return Err("the extraction time budget must be positive".into());
        }
        for (v, what) in [
            (self.max_text_bytes, "text size"),
            (self.max_sentences, "sentence count"),
            (self.max_mentions, "mention count"),
        ] {
            if v == 0 {
                return Err(format!("the extraction {what} limit must be positive"));
            }
        }
        Ok(())
    }
}

/// Why a document was refused. Displays as "document exceeds the extraction budget: ...".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("document exceeds the extraction budget: {0}")]
pub struct OverBudget(pub String);

/// The running clock of one document: stages ask [`Clock::expired`] between sentences and
/// stop early when it says so; the extractor then refuses the document.
pub(crate) struct Clock {
    start: Instant,
    deadline: Option<Instant>,
    limit: Duration,
    expired: Cell<bool>,
}

impl Clock {
    pub fn new(limit: Duration) -> Clock {
        let start = Instant::now();
        Clock {
            start,
            deadline: start.checked_add(limit),
            limit,
            expired: Cell::new(false),
        }
    }

    /// A clock that never expires.
    pub fn unlimited() -> Clock {
        Clock::new(Duration::MAX)
    }

    /// Whether the allowance is spent (sticky: once expired, always expired).
    pub fn expired(&self) -> bool {
        if self.expired.get() {
            return true;
        }
        let over = self.deadline.is_some_and(|d| Instant::now() >= d);
        self.expired.set(over);
        over
    }

    /// `Err` naming the stage when the allowance is spent.
    pub fn check(&self, stage: &str) -> Result<(), OverBudget> {
        if self.expired() {
            return Err(OverBudget(format!(
                "extraction ran {} ms, past the {} ms allowed, during {stage}",
                self.start.elapsed().as_millis(),
                self.limit.as_millis()
            )));
        }
        Ok(())
    }
}

thread_local! {
    static STEPS: Cell<u64> = const { Cell::new(0) };
}

/// Counts the candidate comparisons of the searches that used to rescan the document (span
/// overlap, nearest mention, clause breaks, subjects, words before a trigger), on this thread.
/// Tests read it to check that doubling a document about doubles the work.
pub fn comparisons() -> u64 {
    STEPS.with(Cell::get)
}

/// Adds `n` comparisons to this thread's count.
pub(crate) fn tick(n: usize) {
    STEPS.with(|s| s.set(s.get().saturating_add(n as u64)));
}
