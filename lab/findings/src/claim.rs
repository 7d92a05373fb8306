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
    /// The run's scale cannot judge the words: a quick run's delays are a fiftieth of the
    /// talks' and its N small, so fixed costs outweigh what the claim compares. What it showed.
    NotJudged(String),
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsupported::Missing(what) => write!(f, "not measured in this run: {what}"),
            Unsupported::Contradicted(why) => write!(f, "the run says otherwise: {why}"),
            Unsupported::NotJudged(why) => write!(f, "not judged at this scale: {why}"),
        }
    }
}

/// A section's text, or why the run does not support it.
pub type Claim = Result<String, Unsupported>;

/// What a section of a page is: the run's figures laid out (a table, the setup, a printed
/// text), or a claim, a sentence that compares them and that the run may not bear out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Table,
    Claim,
}

/// A section of a page: its name between the markers, what it is, and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub name: &'static str,
    pub kind: Kind,
    pub text: Claim,
}

impl Section {
    /// The run's figures laid out.
    pub fn table(name: &'static str, text: String) -> Section {
        Section::laid_out(name, Ok(text))
    }

    /// The run's figures laid out, or what of them was not measured.
    pub fn laid_out(name: &'static str, text: Claim) -> Section {
        Section {
            name,
            kind: Kind::Table,
            text,
        }
    }

    pub fn claim(name: &'static str, text: Claim) -> Section {
        Section {
            name,
            kind: Kind::Claim,
            text,
        }
    }

    /// What the run says of it.
    pub fn outcome(&self) -> Outcome<'_> {
        match &self.text {
            Ok(_) => Outcome::Held,
            Err(Unsupported::Contradicted(why)) => Outcome::NotHeld(why),
            Err(Unsupported::Missing(what)) => Outcome::NotMeasured(what),
            Err(Unsupported::NotJudged(why)) => Outcome::NotJudged(why),
        }
    }

    /// The same section from a run whose scale cannot judge it: a claim the run contradicts is
    /// not judged instead, saying what the run showed.
    pub fn at_small_scale(self) -> Section {
        match self.text {
            Err(Unsupported::Contradicted(why)) if self.kind == Kind::Claim => Section {
                text: Err(Unsupported::NotJudged(why)),
                ..self
            },
            _ => self,
        }
    }
}

/// Every claim of a run ends in one of three outcomes, and a reader's report says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// The run bears its words out: the page shows them.
    Held,
    /// The run says otherwise, and why.
    NotHeld(&'a str),
    /// A figure it needs is not in the run: a part skipped, a tool missing, a setup this
    /// machine does not run.
    NotMeasured(&'a str),
    /// The run's scale cannot judge it (a quick run), and what it showed.
    NotJudged(&'a str),
}

impl Outcome<'_> {
    /// The word a report writes for it.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Held => "held",
            Outcome::NotHeld(_) => "not held",
            Outcome::NotMeasured(_) => "not measured",
            Outcome::NotJudged(_) => "not judged at this scale",
        }
    }
}

impl fmt::Display for Outcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Held => f.write_str("held"),
            Outcome::NotHeld(why) => write!(f, "not held: {why}"),
            Outcome::NotMeasured(what) => write!(f, "not measured: {what}"),
            Outcome::NotJudged(why) => write!(f, "not judged at this scale (it showed: {why})"),
        }
    }
}

/// The figure, or [`Unsupported::Missing`] naming it.
pub fn need<T>(value: Option<T>, what: impl fmt::Display) -> Result<T, Unsupported> {
    value.ok_or_else(|| Unsupported::Missing(what.to_string()))
}

/// Returns [`Unsupported::Contradicted`], with the reason, unless the condition holds.
#[macro_export]
macro_rules! holds {
    ($condition:expr, $($why:tt)+) => {
        let held: bool = $condition;
        if !held {
            return Err($crate::claim::Unsupported::Contradicted(format!($($why)+)));
        }
    };
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

/// The pair with the least figure.
pub fn least(pairs: &[(String, f64)]) -> Result<&(String, f64), Unsupported> {
    need(
        pairs.iter().min_by(|a, b| a.1.total_cmp(&b.1)),
        "any figure to rank",
    )
}

pub fn most(pairs: &[(String, f64)]) -> Result<&(String, f64), Unsupported> {
    need(
        pairs.iter().max_by(|a, b| a.1.total_cmp(&b.1)),
        "any figure to rank",
    )
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
