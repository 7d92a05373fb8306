//! What the comparison's binaries share: the machine a run was measured on, the ephemeral
//! ports between runs, and the generated pages of docs/.

pub mod machine;
pub mod page;
pub mod ports;
