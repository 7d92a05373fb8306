//! The workspace's programs run as processes of their own: a program run to its end or to a
//! deadline, with what it cost ([`child`]), a server started on a free port ([`server`]), and
//! a running process's figures under `/proc` ([`figures`]), and what a hostile client does to a
//! server ([`hostile`]).
//! The tests (`harness`) and the benchmarks (`bench`) both run them this way.
//!
//! A helper here panics where a test should fail (a server that never says where it listens);
//! every figure it reads is returned, never printed.

pub mod child;
pub mod figures;
pub mod hostile;
pub mod server;

pub use child::{Finished, Usage, limit_descriptors, run, set_limit};
pub use server::{Answer, Answers, Server, read_answer, send};
