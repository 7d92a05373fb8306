//! How the documents show figures, in one place so that the same figure reads and looks the same
//! everywhere: the charts ([`charts`], SVG with plotters, each row in its catalogue colour), the
//! way numbers are written ([`format`]), and the talks' own figures from
//! `data/talk-results.tsv` ([`talk`]). `docgen` makes the pages; this crate knows nothing of
//! their files.

pub mod charts;
pub mod format;
pub mod talk;
