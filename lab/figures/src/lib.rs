//! How the documents show figures, in one place so that the same figure reads and looks the same
//! everywhere: the charts ([`charts`], SVG with plotters, each row in its catalogue colour), the
//! way numbers are written ([`format`]), the talks' own figures from `data/talk-results.tsv`
//! ([`talk`]), and where a generated table sits in a page of prose ([`page`]). `docgen` makes
//! the pages from the runs.

pub mod charts;
pub mod format;
pub mod page;
pub mod prose;
pub mod talk;
