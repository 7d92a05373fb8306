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

/// Seconds as a claim writes them: three decimals below ten, two below a hundred, then whole.
pub fn s(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.3} s")
    } else if value < 100.0 {
        format!("{value:.2} s")
    } else {
        format!("{} s", figures::format::group(value.round() as u64))
    }
}

/// A span of figures: `a to b unit`, or `a unit` where both write the same.
pub fn span(low: f64, high: f64, write: impl Fn(f64) -> String) -> String {
    let (a, b) = (write(low.min(high)), write(low.max(high)));
    if a == b {
        return a;
    }
    // One unit for both ends where they share it: "1.5 to 2.3 s", not "1.5 s to 2.3 s".
    match (a.rsplit_once(' '), b.rsplit_once(' ')) {
        (Some((x, unit_a)), Some((_, unit_b))) if unit_a == unit_b => format!("{x} to {b}"),
        _ => format!("{a} to {b}"),
    }
}

/// The span of some figures, or [`Unsupported::Missing`] when there are none.
pub fn span_of(
    values: &[f64],
    what: &str,
    write: impl Fn(f64) -> String,
) -> Result<String, Unsupported> {
    let (low, high) = extremes(values).ok_or_else(|| Unsupported::Missing(what.into()))?;
    Ok(span(low, high, write))
}

/// The least and the greatest of some figures.
pub fn extremes(values: &[f64]) -> Option<(f64, f64)> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let low = finite.iter().copied().reduce(f64::min)?;
    let high = finite.iter().copied().reduce(f64::max)?;
    Some((low, high))
}

/// A ratio as a claim writes it: `1.9 times`.
pub fn times(ratio: f64) -> String {
    if ratio >= 10.0 {
        format!("{ratio:.0} times")
    } else {
        format!("{ratio:.1} times")
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A model's or a server's name as the prose writes it: the project's own loops by what they
/// are, the others by their short names (`tokio`), with the flags of a setup.
pub fn name(program: &str) -> String {
    let short = catalogue::short(program);
    match catalogue::program(program) {
        "fetch-reactor" | "serve-reactor" => short.replacen("reactor", "the reactor", 1),
        "fetch-green" => "the green threads".into(),
        "serve-green" => short.replacen("green", "the green hub", 1),
        _ => short,
    }
}

/// `name`'s, or `names'`.
pub fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

/// A per cent: whole from one per cent on, to a tenth below.
pub fn percent(share: f64) -> String {
    if (100.0 * share).abs() < 1.0 {
        format!("{:.1}%", 100.0 * share)
    } else {
        format!("{:.0}%", 100.0 * share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_share_their_unit_and_collapse_when_equal() {
        assert_eq!(span(1.5, 2.25, s), "1.500 to 2.250 s");
        assert_eq!(span(2.0, 2.0001, s), "2.000 s");
        assert_eq!(span(3.0, 1.0, |v| format!("{v:.0} MiB")), "1 to 3 MiB");
        assert!(span_of(&[], "x", s).is_err());
    }

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
        assert_eq!(list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
    }
}
