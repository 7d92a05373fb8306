//! What SERVERS.md says about the servers' figures: the talk's closing question answered from
//! the run, each claim a function of the run on the `findings` crate's machinery, which fails,
//! saying why, when the run does not bear its words out.

use figures::format::{group, mib};

use findings::claim::{extremes, least, list, most, name, need, percent, span, span_of, times};
use findings::{Claim, Unsupported, holds};
use rundata::Results;
use tables::servers::calls_of;

mod hostile;
mod loads;
mod python;
mod servers;

pub use hostile::hostile;
pub use loads::{servers_pinned, servers_rates};
pub use python::python_servers;
pub use servers::*;
