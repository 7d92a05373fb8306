//! Findings as code. A sentence of the documents that compares figures ("the reactor answers 1.9
//! times as many requests as serve-threads") is a function of the run: it computes its
//! figures, writes its words around them, and returns [`Unsupported`] when the run no longer
//! supports the words (a ranking flips, "within a few per cent" stops being true, a figure it
//! needs was not measured). Writing or checking the committed pages fails on any such claim,
//! naming it; a run's own report lists them instead, so that a reader sees which findings their
//! machine does not support.

use std::fmt;

/// Why a claim cannot be written from a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Unsupported {
    /// A figure it needs is not in the run (the part did not run, the cell was skipped).
    Missing(String),
    /// The run's figures say otherwise than its words.
    Contradicted(String),
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsupported::Missing(what) => write!(f, "not measured in this run: {what}"),
            Unsupported::Contradicted(why) => write!(f, "the run says otherwise: {why}"),
        }
    }
}

/// A section's text, or why the run does not support it.
pub type Claim = Result<String, Unsupported>;

/// A section of a page: its name between the markers, and its text.
pub type Section = (&'static str, Claim);

/// The figure, or [`Unsupported::Missing`] naming it.
pub fn need<T>(value: Option<T>, what: impl fmt::Display) -> Result<T, Unsupported> {
    value.ok_or_else(|| Unsupported::Missing(what.to_string()))
}

/// Returns [`Unsupported::Contradicted`], with the reason, unless the condition holds.
macro_rules! holds {
    ($condition:expr, $($why:tt)+) => {
        let held: bool = $condition;
        if !held {
            return Err($crate::claim::Unsupported::Contradicted(format!($($why)+)));
        }
    };
}
pub(crate) use holds;

/// The span of some figures, or [`Unsupported::Missing`] when there are none.
pub fn span_of(
    values: &[f64],
    what: &str,
    write: impl Fn(f64) -> String,
) -> Result<String, Unsupported> {
    let (low, high) = extremes(values).ok_or_else(|| Unsupported::Missing(what.into()))?;
    Ok(span(low, high, write))
}

pub use figures::prose::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_that_does_not_hold_says_why() {
        fn claim(x: f64) -> Claim {
            holds!(x < 1.0, "{x} is not below 1");
            Ok(format!("{x} is below 1"))
        }
        assert_eq!(claim(0.5), Ok("0.5 is below 1".into()));
        assert_eq!(
            claim(2.0),
            Err(Unsupported::Contradicted("2 is not below 1".into()))
        );
        assert!(span_of(&[], "x", s).is_err());
    }
}
