//! The JavaScript rows beside the Rust one they are read beside (fetch-smol, whose `join_all` is
//! `$.when` and `Promise.all`): the talk's `async.html` in headless Chromium and
//! `promises.mjs` in Node, measured in the same run ([`catalogue::JS_TALKS`]).

use std::fmt::Write as _;

use catalogue::{JS_TALKS, JavaScript};

use crate::clients::ceiling;
use crate::python::pair;
use rundata::{Clients, Results};

/// The workloads of a JavaScript program, in the tables' order: the talks' own, then the jobs
/// at scale, then the sweeps from 100 endpoints on.
fn workloads_of(program: &JavaScript, run: &Results) -> Vec<String> {
    let c: &Clients = &run.clients;
    let mut workloads = Vec::new();
    if program.sites {
        workloads.push("sites".to_string());
    }
    if program.jobs {
        workloads.push("jobs".to_string());
        if program.scales {
            workloads.extend(c.many_jobs().map(String::from));
        }
    }
    if program.sites && program.scales {
        for stem in ["sweep", "pages"] {
            let ns = c.sweep(stem, ceiling(run));
            workloads.extend(
                ns.into_iter()
                    .filter(|&n| n >= 100)
                    .map(|n| format!("{stem}-{n}")),
            );
        }
    }
    workloads
}

/// Each JavaScript program on its workloads beside its Rust model: wall, CPU, memory, how many
/// requests it had on the wire at once, and what it costs over Rust.
pub fn talks(run: &Results) -> String {
    let mut t = String::from(
        "| workload | the program | wall (s) | CPU (s) | memory | at once | Rust model \
         | wall (s) | CPU (s) | peak RSS | at once | CPU, JS ÷ Rust | memory, JS ÷ Rust |\n\
         |---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut rows = 0;
    for program in JS_TALKS {
        for workload in workloads_of(program, run) {
            let (Some(js), Some(rust)) = (
                run.clients.cell(&workload, program.name),
                run.clients.cell(&workload, program.beside),
            ) else {
                continue;
            };
            rows += 1;
            let _ = writeln!(
                t,
                "{}",
                pair(&workload, program.name, program.beside, js, rust)
            );
        }
    }
    if rows == 0 {
        return "No JavaScript row in this run: `scripts/js.sh` installs Node's packages and \
                Chromium, and `scripts/run_all.sh` then measures them with the rest.\n"
            .into();
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_read_on_the_talks_jobs_and_node_on_every_workload() {
        let run = Results::default();
        let page = JavaScript::named("async.html").expect("async.html");
        assert_eq!(workloads_of(page, &run), ["jobs"]);
        let node = JavaScript::named("promises.mjs").expect("promises.mjs");
        assert_eq!(workloads_of(node, &run), ["sites", "jobs"]);
        assert!(talks(&run).starts_with("No JavaScript row"));
    }
}
