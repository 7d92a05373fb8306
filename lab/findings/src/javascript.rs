//! The JavaScript rows beside fetch-smol: the talk's page in a browser, which holds it to six
//! connections, and Node's `Promise.all`, which holds nothing back.

use super::*;
use catalogue::{BROWSER_CONNECTIONS_PER_HOST, JS_TALKS};

/// The least time the talk's zips can take at most `connections` at a time, each connection
/// taking the next zip in the page's order as it comes free (as a browser's socket pool hands
/// queued requests out): the origin's delays scheduled, no network time counted.
pub fn in_waves(latencies: &[f64], connections: usize) -> f64 {
    let mut free = vec![0.0_f64; connections.max(1)];
    for latency in latencies {
        let first = free
            .iter_mut()
            .min_by(|a, b| a.total_cmp(b))
            .expect("a connection");
        *first += latency;
    }
    free.into_iter().fold(0.0, f64::max)
}

/// What the browser's six connections cost the talk's page, and what Node's fetch does instead.
pub fn javascript(run: &Results) -> Claim {
    let measured = JS_TALKS
        .iter()
        .any(|js| run.clients.cell("jobs", js.name).is_some());
    if !measured {
        return Err(Unsupported::Missing("the JavaScript rows".into()));
    }
    let scale = run.time_scale();
    let latencies: Vec<f64> = origin::zips()
        .iter()
        .map(|z| origin::jobs(z).latency.as_secs_f64() * scale)
        .collect();
    let waves = in_waves(&latencies, BROWSER_CONNECTIONS_PER_HOST);
    let (_, slowest) = zip_latencies(run);
    let smol = trusted(run, "jobs", "fetch-smol", wall)?;
    let page = trusted(run, "jobs", "async.html", wall)?;
    let page_on_wire = trusted(run, "jobs", "async.html", in_flight)?;
    let page_memory = trusted(run, "jobs", "async.html", rss)?;
    holds!(
        page_on_wire as usize <= BROWSER_CONNECTIONS_PER_HOST && page_on_wire > 1.0,
        "the browser had {page_on_wire} requests on the wire at once, not 2 to {}",
        BROWSER_CONNECTIONS_PER_HOST
    );
    holds!(
        page >= waves * 0.95 && page <= waves * 1.5 + 0.1,
        "the page took {}, not near the {} of the delays in waves of {}",
        s(page),
        s(waves),
        BROWSER_CONNECTIONS_PER_HOST
    );
    let mut t = format!(
        "The talk's page asks for all {n} zips at once, and the browser sends at most {on_wire} \
         at a time. Chromium opens {limit} connections to one host over HTTP/1.1. The other \
         requests wait for one of them, so the hundred go in waves. The page's `console.time` \
         reads {page}. The origin's delays, run {limit} at a time in the page's order, take \
         {waves}. The slowest zip alone takes {slowest}, and fetch-smol, sending all at once, \
         ends there ({smol}). One thread is not what holds the page back; the connections are. \
         The browser's processes held {memory}: their proportional set sizes added up, the \
         browser around the page included.",
        n = latencies.len(),
        on_wire = page_on_wire as u64,
        limit = BROWSER_CONNECTIONS_PER_HOST,
        page = s(page),
        waves = s(waves),
        slowest = s(slowest),
        smol = s(smol),
        memory = mib_of(page_memory),
    );
    let node = "promises.mjs";
    if let (Ok(node_wall), Ok(node_on_wire)) = (
        trusted(run, "jobs", node, wall),
        trusted(run, "jobs", node, in_flight),
    ) {
        holds!(
            node_on_wire as usize == latencies.len(),
            "Node had {node_on_wire} of {} requests on the wire at once",
            latencies.len()
        );
        let node_cpu = trusted(run, "jobs", node, cpu)?;
        let smol_cpu = trusted(run, "jobs", "fetch-smol", cpu)?;
        let node_rss = trusted(run, "jobs", node, rss)?;
        let smol_rss = trusted(run, "jobs", "fetch-smol", rss)?;
        t.push_str(&format!(
            " Node's `fetch` has no such bound: under `Promise.all` all {} are on the wire at \
             once. `promises.mjs` ends in {}, {} after fetch-smol. It spends {} of CPU ({} \
             fetch-smol's) and holds {} (fetch-smol: {}).",
            group(node_on_wire as u64),
            s(node_wall),
            ms(node_wall - smol),
            s(node_cpu),
            times(node_cpu / smol_cpu),
            mib_of(node_rss),
            mib_of(smol_rss),
        ));
    }
    t.push('\n');
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waves_take_the_next_request_as_a_connection_frees() {
        assert_eq!(in_waves(&[1.0, 1.0, 1.0], 6), 1.0);
        assert_eq!(in_waves(&[1.0; 12], 6), 2.0);
        // The long one takes a connection for itself while the others share the rest.
        assert_eq!(in_waves(&[3.0, 1.0, 1.0, 1.0], 2), 3.0);
        assert_eq!(in_waves(&[1.0, 1.0, 1.0, 3.0], 2), 4.0);
        assert_eq!(in_waves(&[], 6), 0.0);
    }
}
