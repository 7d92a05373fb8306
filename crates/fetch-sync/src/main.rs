//! Synchronous: one request after another, each waiting for the last to finish.
//!
//! The baseline of both talks: `sync.py` fetched the six home pages in a loop with `requests`,
//! and `block.py` summed the jobs of 100 zip codes the same way. Each request blocks the one
//! thread until its answer arrives, so the run takes the sum of all the request times.
//!
//! Run with:
//! ```sh
//! cargo run -p fetch-sync
//! cargo run -p fetch-sync -- --workload jobs
//! ```

use std::process::ExitCode;

use common::{Endpoint, FetchError};

fn main() -> anyhow::Result<ExitCode> {
    let run = common::Run::from_cli()?;

    // One agent for the whole run: it keeps the connection to a host open between requests.
    // ureq sets no timeout by default and treats 4xx/5xx as errors; we set the first and check
    // statuses ourselves, like every other model.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(run.timeout()))
        .http_status_as_error(false)
        .build()
        .into();

    let mut report = run.report();
    for endpoint in run.endpoints() {
        // The thread waits here, doing nothing, for every request in turn.
        let (body, elapsed) = common::timeit(|| get(&agent, endpoint));
        report.record(endpoint, body, elapsed);
    }
    Ok(report.finish())
}

fn get(agent: &ureq::Agent, endpoint: &Endpoint) -> Result<Vec<u8>, FetchError> {
    let mut response = agent.get(endpoint.url()).call()?;
    common::check_status(response.status().as_u16())?;
    Ok(response
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_vec()?)
}
