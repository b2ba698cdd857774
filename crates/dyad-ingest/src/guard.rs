//! Panics caught per input. A panic in a third-party parser fed untrusted bytes, or a bug of
//! ours on one odd page, must cost that input only: [`catch`] turns it into an error message
//! of one line, and while it runs the panic hook stays quiet (no message or backtrace on
//! stderr: the caller reports the input as failed, once).
//!
//! Panics outside [`catch`] still go to the hook that was installed before (the standard one
//! prints the message and, with `RUST_BACKTRACE`, a backtrace).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// How many [`catch`] calls are running on this thread.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    /// Where the last caught panic happened (`file:line`).
    static WHERE: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// Runs `f`; a panic becomes `Err` with its message and place, on one line.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) > 0 {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                WHERE.with(|w| *w.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
    CATCHING.with(|c| c.set(c.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get().saturating_sub(1)));
    result.map_err(|payload| {
        let what = message(payload.as_ref());
        match WHERE.with(|w| w.borrow_mut().take()) {
            Some(at) => format!("{what} (at {at})"),
            None => what,
        }
    })
}

/// The message of a panic payload, on one line.
fn message(payload: &(dyn Any + Send)) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic without a message".to_string()
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_one_line_error() {
        assert_eq!(catch(|| 2 + 2), Ok(4));
        let err = catch(|| -> u8 { panic!("bad\nbyte {}", 7) }).expect_err("panicked");
        assert!(err.starts_with("bad byte 7 (at "), "{err}");
        assert!(err.contains("guard.rs:"), "{err}");
        assert!(!err.contains('\n'));
        // Nested catches each see their own panic, and the counter is restored.
        let outer = catch(|| {
            let inner = catch(|| -> () { panic!("inner") });
            assert!(inner.expect_err("inner panicked").starts_with("inner"));
            panic!("outer")
        });
        assert!(outer.expect_err("outer panicked").starts_with("outer"));
        assert_eq!(CATCHING.with(Cell::get), 0);
    }
}
