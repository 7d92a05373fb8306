//! What the comparison runs: every model on every workload, and how long each run should take.

use std::fmt;
use std::time::Duration;

use catalogue::{Family, JavaScript, MODELS, Python, PythonKind};
use clap::Parser;

/// A model of the comparison, and the size of its pool where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// The binary and package name, e.g. `fetch-tokio`, or [`CURL`].
    pub name: &'static str,
    pub family: Family,
    /// Threads of the pool, or requests in flight, for [`Family::Pool`].
    pub pool: usize,
    /// A Python reference row: one of the talks' programs, run by [`catalogue::PYTHON`] on its
    /// own talk's workloads only.
    pub python: Option<&'static Python>,
    /// A JavaScript reference row, run by [`catalogue::NODE`] (a page through its browser driver)
    /// on the workloads it fetches.
    pub javascript: Option<&'static JavaScript>,
    /// A setting of the model's own, in its environment: fetch-smol's read buffer.
    pub variant: Option<Variant>,
}

/// A variable of a model's environment and its value, such as
/// `FETCH_SMOL_READ_BUFFER=2048`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    pub var: &'static str,
    pub value: &'static str,
}

impl Variant {
    /// `VAR=value`, as a shell would write it before the command.
    pub fn label(self) -> String {
        format!("{}={}", self.var, self.value)
    }
}

/// fetch-smol's read buffer: the sizes its read-buffer part measures besides its own (4 KiB),
/// and hyper's adaptive buffer, which fetch-smol's `http.rs` takes from this variable.
pub const READ_BUFFER_VAR: &str = "FETCH_SMOL_READ_BUFFER";
pub const READ_BUFFERS: [&str; 4] = ["2048", "8192", "16384", "adaptive"];

pub use catalogue::{CURL, CURL_PARALLEL_MAX};

impl Model {
    /// The reference client, which runs like a pool of 300.
    pub fn curl() -> Model {
        Model {
            name: CURL,
            family: Family::Pool,
            pool: CURL_PARALLEL_MAX,
            python: None,
            javascript: None,
            variant: None,
        }
    }

    /// One of the talks' programs in Python.
    pub fn python(program: &'static Python) -> Model {
        Model {
            name: program.name,
            family: program.family,
            pool: 1,
            python: Some(program),
            javascript: None,
            variant: None,
        }
    }

    /// One of the talks' programs in JavaScript; a page's pool is the browser's connections to
    /// one host.
    pub fn javascript(program: &'static JavaScript) -> Model {
        Model {
            name: program.name,
            family: program.family,
            pool: program.bound().unwrap_or(1),
            python: None,
            javascript: Some(program),
            variant: None,
        }
    }

    /// fetch-smol with its read buffer set by `value` (bytes, or `adaptive`).
    pub fn read_buffer(pool: usize, value: &'static str) -> Model {
        let smol = models(pool)
            .into_iter()
            .find(|m| m.name == "fetch-smol")
            .expect("fetch-smol is in the catalogue");
        Model {
            variant: Some(Variant {
                var: READ_BUFFER_VAR,
                value,
            }),
            ..smol
        }
    }

    pub fn is_curl(&self) -> bool {
        self.name == CURL
    }

    /// Whether it is one of the talks' own programs (Python or JavaScript), read beside the
    /// models rather than one of them.
    pub fn is_reference(&self) -> bool {
        self.python.is_some() || self.javascript.is_some()
    }

    /// Whether it runs `workload`: every model runs them all; a program of the talk "Async
    /// Python" runs the six sites and the sweeps (it fetches pages), one of "Asynchronicity"
    /// the jobs workloads; a JavaScript program those it fetches.
    pub fn runs(&self, workload: Workload) -> bool {
        if let Some(js) = self.javascript {
            return match workload {
                Workload::Sites | Workload::Sweep(_) | Workload::Pages(_) => js.sites,
                Workload::Jobs => js.jobs,
                Workload::ManyJobs(_) => js.jobs && js.scales,
                Workload::Burst(_) => false,
            };
        }
        match self.python.map(|p| p.kind) {
            None => true,
            Some(PythonKind::Sites) => {
                matches!(
                    workload,
                    Workload::Sites | Workload::Sweep(_) | Workload::Pages(_)
                )
            }
            Some(PythonKind::Jobs) => matches!(workload, Workload::Jobs | Workload::ManyJobs(_)),
            Some(PythonKind::Server) => false,
        }
    }
}

/// The models, in the order the report lists them ([`catalogue::MODELS`]): the baseline first.
pub fn models(pool: usize) -> Vec<Model> {
    MODELS
        .iter()
        .map(|m| Model {
            name: m.name,
            family: m.family,
            pool,
            python: None,
            javascript: None,
            variant: None,
        })
        .collect()
}

/// The talks' programs in Python, in the talks' order ([`catalogue::PYTHON_TALKS`]).
pub fn python_models() -> Vec<Model> {
    catalogue::PYTHON_TALKS.iter().map(Model::python).collect()
}

/// The talks' programs in JavaScript ([`catalogue::JS_TALKS`]): those of Node, and the
/// browser's page where `browser` says a browser runs here.
pub fn javascript_models(browser: bool) -> Vec<Model> {
    catalogue::JS_TALKS
        .iter()
        .filter(|js| browser || js.engine != catalogue::Engine::Chromium)
        .map(Model::javascript)
        .collect()
}

/// The size of each synthetic body in the 1 KiB sweep, and the origin's delay before each
/// answer in both sweeps.
pub const SWEEP_SIZE: usize = 1024;
pub const SWEEP_DELAY_S: f64 = 1.0;

/// What a run fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    /// The six home pages of the talk "Async Python", at their latencies.
    Sites,
    /// The jobs API over the 100 zip codes of the talk "Asynchronicity".
    Jobs,
    /// The jobs API over the 100 zip codes again and again, N requests at once.
    ManyJobs(u64),
    /// N synthetic endpoints of 1 KiB after 1 s each, all at once.
    Sweep(u64),
    /// N endpoints with the six sites' page sizes (119 KB on average), each after 1 s, all at
    /// once.
    Pages(u64),
    /// N synthetic endpoints of 1 KiB with no delay at all: what opening, serving and closing
    /// N connections costs when no wait hides it.
    Burst(u64),
}

/// The two sweeps: the same N and delay, small bodies or the talk's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    KiB,
    Pages,
}

impl Sweep {
    pub const ALL: [Sweep; 2] = [Sweep::KiB, Sweep::Pages];

    /// This sweep's workload at `n`.
    pub fn at(self, n: u64) -> Workload {
        match self {
            Sweep::KiB => Workload::Sweep(n),
            Sweep::Pages => Workload::Pages(n),
        }
    }
}

impl Workload {
    /// The sweep this workload is a point of, with its N.
    pub fn sweep(self) -> Option<(Sweep, u64)> {
        match self {
            Workload::Sweep(n) => Some((Sweep::KiB, n)),
            Workload::Pages(n) => Some((Sweep::Pages, n)),
            _ => None,
        }
    }

    /// The model's arguments for this workload (besides --origin and --json).
    pub fn args(self, time_scale: f64) -> Vec<String> {
        let count = |n: u64| ["--count".to_string(), n.to_string()];
        let delay = ["--delay".to_string(), SWEEP_DELAY_S.to_string()];
        let mut args: Vec<String> = match self {
            Workload::Sites => vec![],
            Workload::Jobs => vec!["--workload".into(), "jobs".into()],
            Workload::ManyJobs(n) => ["--workload".into(), "jobs".into()]
                .into_iter()
                .chain(count(n))
                .collect(),
            Workload::Sweep(n) => count(n)
                .into_iter()
                .chain(["--size".into(), SWEEP_SIZE.to_string()])
                .chain(delay)
                .collect(),
            Workload::Pages(n) => count(n).into_iter().chain(delay).collect(),
            Workload::Burst(n) => count(n)
                .into_iter()
                .chain(["--size".into(), SWEEP_SIZE.to_string()])
                .chain(["--delay".into(), "0".into()])
                .collect(),
        };
        if time_scale != 1.0 {
            args.extend(["--time-scale".into(), time_scale.to_string()]);
        }
        args
    }

    /// A short name for files and tables: `sites`, `jobs`, `sweep-1000`.
    pub fn slug(self) -> String {
        match self {
            Workload::Sites => "sites".into(),
            Workload::Jobs => "jobs".into(),
            Workload::ManyJobs(n) => format!("jobs-{n}"),
            Workload::Sweep(n) => format!("sweep-{n}"),
            Workload::Pages(n) => format!("pages-{n}"),
            Workload::Burst(n) => format!("burst-{n}"),
        }
    }

    /// The workload of a [`Workload::slug`].
    pub fn from_slug(slug: &str) -> Option<Workload> {
        match slug {
            "sites" => return Some(Workload::Sites),
            "jobs" => return Some(Workload::Jobs),
            _ => {}
        }
        let (stem, n) = slug.rsplit_once('-')?;
        let n = n.parse().ok()?;
        match stem {
            "jobs" => Some(Workload::ManyJobs(n)),
            "sweep" => Some(Workload::Sweep(n)),
            "pages" => Some(Workload::Pages(n)),
            "burst" => Some(Workload::Burst(n)),
            _ => None,
        }
    }

    /// The number of endpoints.
    pub fn n(self) -> u64 {
        match self {
            Workload::Sites => origin::sites().len() as u64,
            Workload::Jobs => origin::zips().len() as u64,
            Workload::ManyJobs(n)
            | Workload::Sweep(n)
            | Workload::Pages(n)
            | Workload::Burst(n) => n,
        }
    }

    /// What the models fetch for this workload from the origin at `base`.
    fn plan(self, base: &str, time_scale: f64) -> common::Endpoints {
        let argv = std::iter::once("fetch".to_string()).chain(self.args(time_scale));
        let args = common::Args::try_parse_from(argv).expect("the workload's own arguments parse");
        common::Endpoints::for_origin(base, &args)
    }

    /// The URLs the models fetch for this workload from the origin at `base`.
    pub fn urls(self, base: &str, time_scale: f64) -> Vec<String> {
        let plan = self.plan(base, time_scale);
        plan.endpoints.iter().map(|e| e.url().to_string()).collect()
    }

    /// The sum of the origin's delays for this workload and the longest of them.
    pub fn delays(self, time_scale: f64) -> (Duration, Duration) {
        let plan = self.plan("http://origin.invalid", time_scale);
        (
            plan.simulated_delays.unwrap_or_default(),
            plan.slowest_delay.unwrap_or_default(),
        )
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Workload::Sites => f.write_str("six sites"),
            Workload::Jobs => f.write_str("jobs (100 zips)"),
            Workload::ManyJobs(n) => write!(f, "jobs N={n}"),
            Workload::Sweep(n) => write!(f, "1 KiB sweep N={n}"),
            Workload::Pages(n) => write!(f, "page sweep N={n}"),
            Workload::Burst(n) => write!(f, "1 KiB, no delay, N={n}"),
        }
    }
}

/// How long `model` should take on `workload`: the least its way of running allows.
pub fn predict(model: &Model, workload: Workload, time_scale: f64) -> Duration {
    let (sum, slowest) = workload.delays(time_scale);
    match model.family {
        Family::Sequential => sum,
        Family::Pool => (sum / model.pool.max(1) as u32).max(slowest),
        Family::Threads | Family::Runtime | Family::OwnLoop => slowest,
    }
}

/// One measurement to make: a model on a workload, and how many times.
#[derive(Debug, Clone)]
pub struct Cell {
    pub workload: Workload,
    pub model: Model,
    /// The least time its way of running allows ([`predict`]).
    pub predicted: Duration,
    pub repeats: u32,
}

impl Cell {
    /// How long a run of it should take, start-up and connections included: what the progress
    /// line's estimate adds up.
    pub fn expected(&self) -> Duration {
        let n = self.workload.n() as f64;
        let (start, per_connection) = match (self.model.python, self.model.javascript) {
            (Some(_), _) => (0.5, 1.5e-3),
            // Chromium's start and close, which its wall time leaves out but the run waits for.
            (_, Some(js)) if js.engine == catalogue::Engine::Chromium => (2.0, 1e-3),
            (_, Some(_)) => (0.1, 1.5e-3),
            (None, None) => (0.05, 1e-4),
        };
        self.predicted + Duration::from_secs_f64(start + n * per_connection)
    }
}

/// How many times to measure each cell.
#[derive(Debug, Clone, Copy)]
pub struct Repeats {
    /// Runs of each cell of a Rust model (and curl's); each figure is their median.
    pub each: u32,
    /// A cell predicted to take longer than this is measured once: its wall time is the
    /// origin's latencies added up, which a repeat would not change.
    pub once_over: Duration,
}

/// The cells of `workloads` in their order, every model that runs each: a reference row once
/// (the talks' programs are the reference, not the subject, and one of them at N = 10,000
/// takes up to half a minute), a cell predicted past [`Repeats::once_over`] once, the rest
/// [`Repeats::each`] times.
pub fn cells(
    models: &[Model],
    workloads: &[Workload],
    time_scale: f64,
    repeats: Repeats,
) -> Vec<Cell> {
    workloads
        .iter()
        .flat_map(|&workload| {
            models
                .iter()
                .filter(move |model| model.runs(workload))
                .map(move |model| {
                    let predicted = predict(model, workload, time_scale);
                    let once = model.is_reference() || predicted > repeats.once_over;
                    Cell {
                        workload,
                        model: model.clone(),
                        predicted,
                        repeats: if once { 1 } else { repeats.each },
                    }
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(name: &str) -> Model {
        models(2).into_iter().find(|m| m.name == name).unwrap()
    }

    #[test]
    fn predictions_follow_each_way_of_running() {
        let sync = predict(&model("fetch-sync"), Workload::Sites, 1.0).as_secs_f64();
        assert!((sync - 4.649).abs() < 0.01, "{sync}");
        let tokio = predict(&model("fetch-tokio"), Workload::Sites, 1.0).as_secs_f64();
        assert!((tokio - 1.846).abs() < 0.01, "{tokio}");
        let sweep = Workload::Sweep(1000);
        assert_eq!(
            predict(&model("fetch-sync"), sweep, 1.0),
            Duration::from_secs(1000)
        );
        assert_eq!(
            predict(&model("fetch-rayon"), sweep, 1.0),
            Duration::from_secs(500)
        );
        assert_eq!(
            predict(&model("fetch-smol"), sweep, 1.0),
            Duration::from_secs(1)
        );
        assert_eq!(
            predict(&model("fetch-smol"), sweep, 0.01),
            Duration::from_millis(10)
        );
    }

    const THREE: Repeats = Repeats {
        each: 3,
        once_over: Duration::from_secs(20),
    };

    #[test]
    fn slugs_name_their_workloads() {
        for workload in [
            Workload::Sites,
            Workload::Jobs,
            Workload::ManyJobs(2000),
            Workload::Sweep(1),
            Workload::Pages(19000),
            Workload::Burst(10000),
        ] {
            assert_eq!(Workload::from_slug(&workload.slug()), Some(workload));
        }
        assert_eq!(Workload::from_slug("sweep-x"), None);
    }

    #[test]
    fn long_cells_and_python_rows_run_once() {
        let models = [
            model("fetch-sync"),
            model("fetch-tokio"),
            python_models()[0].clone(),
        ];
        let cells = cells(&models, &[Workload::Sites, Workload::Jobs], 1.0, THREE);
        let repeats = |workload: Workload, name: &str| {
            cells
                .iter()
                .find(|c| c.workload == workload && c.model.name == name)
                .map(|c| c.repeats)
        };
        assert_eq!(repeats(Workload::Sites, "fetch-sync"), Some(3));
        assert_eq!(repeats(Workload::Jobs, "fetch-sync"), Some(1));
        assert_eq!(repeats(Workload::Jobs, "fetch-tokio"), Some(3));
        assert_eq!(repeats(Workload::Sites, "sync.py"), Some(1));
        assert_eq!(repeats(Workload::Jobs, "sync.py"), None);
    }

    /// The workloads of `name`'s cells, in their order.
    fn slugs_of(cells: &[Cell], name: &str) -> Vec<String> {
        cells
            .iter()
            .filter(|c| c.model.name == name)
            .map(|c| c.workload.slug())
            .collect()
    }

    #[test]
    fn a_python_program_runs_its_own_talks_workloads_only() {
        let python = python_models();
        let workloads = [
            Workload::Sites,
            Workload::Jobs,
            Workload::ManyJobs(200),
            Workload::Sweep(1),
            Workload::Sweep(10),
            Workload::Pages(1),
            Workload::Pages(10),
        ];
        let cells = cells(&python, &workloads, 1.0, THREE);
        let of = |name: &str| slugs_of(&cells, name);
        assert_eq!(
            of("thrd.py"),
            ["sites", "sweep-1", "sweep-10", "pages-1", "pages-10"]
        );
        assert_eq!(of("async.py"), ["jobs", "jobs-200"]);
        let block = python.iter().find(|m| m.name == "block.py").unwrap();
        let sync = predict(block, Workload::Jobs, 1.0).as_secs_f64();
        assert!((sync - 41.3).abs() < 0.01, "{sync}");
    }

    #[test]
    fn the_javascript_rows_run_what_they_fetch_and_the_page_waits_in_sixes() {
        let js = javascript_models(true);
        let workloads = [
            Workload::Sites,
            Workload::Jobs,
            Workload::ManyJobs(200),
            Workload::Sweep(10),
            Workload::Burst(10),
        ];
        let cells = cells(&js, &workloads, 1.0, THREE);
        let of = |name: &str| slugs_of(&cells, name);
        assert_eq!(of("async.html"), ["jobs"]);
        assert_eq!(
            of("promises.mjs"),
            ["sites", "jobs", "jobs-200", "sweep-10"]
        );
        assert!(cells.iter().all(|c| c.repeats == 1));
        // A hundred zips six at a time: a sixth of the 41.3 s the talk's blocking run took.
        let page = &js[0];
        let predicted = predict(page, Workload::Jobs, 1.0).as_secs_f64();
        assert!((predicted - 41.3 / 6.0).abs() < 0.01, "{predicted}");
        assert_eq!(javascript_models(false).len(), 1);
        assert!(javascript_models(false)[0].is_reference());
    }

    #[test]
    fn the_jobs_workload_takes_the_talks_41_seconds_in_sequence() {
        let sync = predict(&model("fetch-sync"), Workload::Jobs, 1.0).as_secs_f64();
        assert!((sync - 41.3).abs() < 0.01, "{sync}");
    }
}
