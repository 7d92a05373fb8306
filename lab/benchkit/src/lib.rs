//! What every part of the benchmark stands on: the cells of the comparison (every model on every
//! workload, and how long each should take), running one program as a process of its own and
//! reading what it reports, the summaries and the files they go to (CSV, JSON), the machine and
//! its limits, the run's loopback addresses (so that no run waits for a port in TIME_WAIT), the
//! progress shown, and the context a part measures in. `bench` holds the parts themselves: the
//! clients, memory, the servers, the hostile clients, the system calls.

pub mod addresses;
pub mod cells;
pub mod context;
pub mod machine;
pub mod output;
pub mod progress;
pub mod runner;
pub mod summary;
