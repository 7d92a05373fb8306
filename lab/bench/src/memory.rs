//! The memory part: where a model's memory per request goes. Each profiled model runs under
//! valgrind's massif (a heap profiler) against an origin of its own with N requests in flight,
//! and the heap at its peak is divided by N and split by the place in the code that allocated
//! it.
//!
//! Heap bytes are allocated bytes: a buffer whose pages are never touched costs heap here but
//! no resident memory, so these add up to more than the peak RSS per request of the sweeps.
//!
//! Writes `memory/heap.csv`: a line per profile and allocation site, the heap at the peak per
//! request in KiB, and the site as its first frames in the project's and its libraries' code
//! (the standard library's own frames left out). massif's own files go to `memory/raw/`.

use std::process::Command;
use std::time::Duration;

use anyhow::Context as _;
use runfiles::{HeapRow, MemorySettings};

use benchkit::cells::Workload;
use benchkit::context::{self, Context, Planned, interrupted};
use benchkit::runner::OriginProcess;

/// The profiles: a model and its workload, with the requests in flight.
const PROFILES: [(&str, Workload); 4] = [
    ("fetch-smol", Workload::Sweep(2_000)),
    ("fetch-tokio", Workload::Sweep(2_000)),
    ("fetch-async-std", Workload::Sweep(2_000)),
    ("fetch-tokio", Workload::Pages(500)),
];

/// The sites shown per profile; the rest are summed in one line.
const SITES: usize = 10;

/// What the memory part will run.
#[derive(Debug)]
pub struct Plan {
    profiles: Vec<(&'static str, Workload)>,
}

pub fn plan(ctx: &Context) -> anyhow::Result<Planned<Plan>> {
    if !context::found("valgrind") {
        return Ok(Planned::Skipped(
            "memory: valgrind is not installed, so no heap is profiled (apt-get install valgrind)"
                .into(),
        ));
    }
    let profiles = PROFILES
        .into_iter()
        .filter(|(model, _)| {
            ctx.args.models.is_empty() || ctx.args.models.iter().any(|m| m == model)
        })
        .map(|(model, workload)| match (ctx.quick(), workload) {
            (true, Workload::Sweep(_)) => (model, Workload::Sweep(50)),
            (true, Workload::Pages(_)) => (model, Workload::Pages(20)),
            _ => (model, workload),
        })
        .collect();
    Ok(Planned::Ready(Plan { profiles }))
}

impl Plan {
    fn expected_run(&self) -> Duration {
        Duration::from_secs(6)
    }

    pub fn expected(&self) -> Duration {
        self.expected_run() * self.profiles.len() as u32
    }

    pub fn measure(self, ctx: &mut Context) -> anyhow::Result<MemorySettings> {
        let dir = ctx.dir("memory")?;
        std::fs::create_dir_all(dir.join("raw"))?;
        let mut rows: Vec<HeapRow> = Vec::new();
        // The delay that keeps every request in flight at the peak, past the start of them all.
        let delay = if ctx.quick() { 0.5 } else { 2.0 };
        for &(model, workload) in &self.profiles {
            if interrupted() {
                break;
            }
            let what = format!("memory · {model} · {workload}");
            ctx.progress.start(&what);
            let said =
                match profile(ctx, model, workload, delay, &dir) {
                    Ok(sites) => {
                        let n = workload.n();
                        let total: f64 = sites.iter().map(|(bytes, _)| *bytes as f64).sum();
                        rows.extend(sites.iter().enumerate().map(|(rank, (bytes, site))| {
                            HeapRow {
                                model: model.to_string(),
                                workload: workload.slug(),
                                n,
                                rank: rank as u32,
                                kib_per_request: (*bytes as f64 / n as f64 / 1024.0 * 1e3).round()
                                    / 1e3,
                                site: site.clone(),
                            }
                        }));
                        format!(
                            "heap at its peak {:.1} KiB per request",
                            total / n as f64 / 1024.0
                        )
                    }
                    Err(e) => format!("failed: {e:#}"),
                };
            ctx.progress.finish(&what, self.expected_run(), &said);
        }
        runfiles::write(&ctx.out, runfiles::HEAP, &rows)?;
        Ok(MemorySettings {
            tool: context::version("valgrind", "--version"),
            delay_s: delay,
            profiles: self
                .profiles
                .iter()
                .map(|(m, w)| format!("{m} {}", w.slug()))
                .collect(),
        })
    }
}

/// One model under massif: the heap at its peak, by site, largest first, the last line the
/// sites past [`SITES`] together.
fn profile(
    ctx: &mut Context,
    model: &str,
    workload: Workload,
    delay: f64,
    dir: &std::path::Path,
) -> anyhow::Result<Vec<(u64, String)>> {
    let origin = OriginProcess::start(&ctx.args.bin_dir, ctx.addresses.fresh(workload.n()))?;
    let file = dir
        .join("raw")
        .join(format!("massif.{model}.{}", workload.slug()));
    let mut args: Vec<String> = workload.args(1.0);
    // The workload's own delay, replaced by the profile's.
    if let Some(at) = args.iter().position(|a| a == "--delay") {
        args.drain(at..at + 2);
    }
    args.extend(["--delay".into(), delay.to_string()]);
    args.extend(["--origin".into(), origin.url.clone(), "--json".into()]);
    let mut command = Command::new("valgrind");
    command
        .arg("--tool=massif")
        .arg(format!("--massif-out-file={}", file.display()))
        .arg(ctx.args.bin_dir.join(model))
        .args(&args);
    let done = procs::run(&mut command, Duration::from_secs(300))?;
    anyhow::ensure!(
        done.status
            .is_some_and(|s| s.code().is_some_and(|c| c <= 1)),
        "valgrind failed: {}",
        done.stderr.lines().last().unwrap_or("")
    );
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("massif wrote nothing to {}", file.display()))?;
    peak_sites(&text).context("no peak snapshot in massif's output")
}

/// A node of massif's heap tree: its bytes, its frame, and the nodes below it.
#[derive(Debug)]
struct Node {
    bytes: u64,
    frame: String,
    children: Vec<Node>,
}

/// The sites of the peak snapshot of a `massif.out` file, largest first.
fn peak_sites(text: &str) -> Option<Vec<(u64, String)>> {
    let mut lines = text.lines().skip_while(|l| *l != "heap_tree=peak").skip(1);
    let first = lines.next()?;
    let root = node(first, &mut lines)?;
    let mut sites: Vec<(u64, String)> = root
        .children
        .iter()
        .map(|child| (child.bytes, site(child)))
        .collect();
    sites.sort_by_key(|s| std::cmp::Reverse(s.0));
    if sites.len() > SITES {
        let rest: u64 = sites[SITES..].iter().map(|s| s.0).sum();
        sites.truncate(SITES);
        sites.push((rest, "(the other sites together)".into()));
    }
    Some(sites)
}

/// Parses `line` (`<indent>nK: BYTES FRAME`) and the K nodes that follow it, below it.
fn node<'a>(line: &str, lines: &mut impl Iterator<Item = &'a str>) -> Option<Node> {
    let (count, rest) = line.trim_start().strip_prefix('n')?.split_once(": ")?;
    let count: usize = count.parse().ok()?;
    let (bytes, frame) = rest.split_once(' ').unwrap_or((rest, ""));
    let mut children = Vec::with_capacity(count);
    for _ in 0..count {
        let next = lines.next()?;
        children.push(node(next, lines)?);
    }
    Some(Node {
        bytes: bytes.parse().ok()?,
        frame: frame.to_string(),
        children,
    })
}

/// Where a site allocates: its first three frames outside the standard library, each as its
/// function (or, for an inlined or async one, its file and line), down the largest callers.
fn site(top: &Node) -> String {
    if top.frame.contains("below massif's threshold") {
        return "(small allocations in many places)".into();
    }
    let mut frames: Vec<String> = Vec::new();
    let mut at = Some(top);
    while let Some(node) = at {
        if let Some(frame) = describe(&node.frame)
            && !frames.contains(&frame)
        {
            frames.push(frame);
        }
        if frames.len() == 3 {
            break;
        }
        at = node.children.iter().max_by_key(|c| c.bytes);
    }
    if frames.is_empty() {
        top.frame.clone()
    } else {
        frames.join(" <- ")
    }
}

/// A frame (`0x2826A6: name (file.rs:65)`) as the site shows it; `None` for the standard
/// library's own.
fn describe(frame: &str) -> Option<String> {
    let (_, rest) = frame.split_once(": ")?;
    let (name, place) = rest.rsplit_once(" (")?;
    let place = place.trim_end_matches(')');
    if place.starts_with("library/") || place.starts_with("in ") {
        return None;
    }
    let plain = !name.starts_with("UnknownInlinedFun") && !name.starts_with('{');
    let name: String = name.chars().take(70).collect();
    Some(if plain {
        format!("{name} ({place})")
    } else {
        format!("({place})")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASSIF: &str = "snapshot=1\n#-----------\ntime=5\nmem_heap_B=3000\nheap_tree=peak\n\
n3: 3000 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n \
n1: 2000 0x1: UnknownInlinedFun (library/alloc/src/alloc.rs:95)\n  \
n2: 2000 0x2: UnknownInlinedFun (src/proto/h1/io.rs:65)\n   \
n0: 1500 0x3: hyper::proto::h1::conn::Conn::new (src/proto/h1/conn.rs:52)\n   \
n0: 500 0x4: other (x.rs:1)\n \
n0: 700 0x5: tokio::runtime::task::core::Cell::new (src/runtime/task/core.rs:261)\n \
n0: 300 in 12 places, all below massif's threshold (1.00%)\n\
snapshot=2\n";

    #[test]
    fn the_peak_is_split_by_site() {
        let sites = peak_sites(MASSIF).unwrap();
        assert_eq!(
            sites,
            [
                (
                    2000,
                    "(src/proto/h1/io.rs:65) <- hyper::proto::h1::conn::Conn::new \
                     (src/proto/h1/conn.rs:52)"
                        .to_string()
                ),
                (
                    700,
                    "tokio::runtime::task::core::Cell::new (src/runtime/task/core.rs:261)".into()
                ),
                (300, "(small allocations in many places)".into()),
            ]
        );
    }
}
