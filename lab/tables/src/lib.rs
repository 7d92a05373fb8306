//! The tables of the documents, made from a run ([`rundata::Run`]): every model, curl and the
//! talks' Python programs on each workload ([`clients`]), every server at every number of
//! connections ([`servers`]), the machine's ceiling and what past it would cost ([`ceiling`]),
//! the Python and JavaScript rows beside their Rust ones ([`python`], [`javascript`]), and the top of every page: the machine,
//! its limits, the code and how the run was made ([`setup`]). Each table writes what the run
//! holds and marks what it does not ("not measured", "skipped"); the sentences that read them
//! are the `findings` crate's.

pub mod ceiling;
pub mod clients;
pub mod javascript;
pub mod python;
pub mod servers;
pub mod setup;
pub mod waits;
