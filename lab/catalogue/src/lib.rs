//! Every model and server of the workspace, listed once, with what the tools need to know of
//! each: its binary, its short name, its family, the library it is built on, its colour in the
//! charts and the program of the talks it plays. The tests (`harness`), the benchmarks
//! (`bench`), the documents (`docgen`) and `scripts/diff_models.sh` (through
//! `cargo run -p catalogue -- --list models`) all read it from here.
//!
//! Adding a model is its crate plus one entry in [`MODELS`] (or [`SERVERS`]): docs/MODELS.md has
//! the checklist.

/// How a program runs its requests (or serves its connections), which decides how long a run
/// should take and which of the comparison's groups it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// One at a time: the wall time is the sum of the delays.
    Sequential,
    /// A thread per request (or per connection), all at once.
    Threads,
    /// A pool of threads, one per core unless `--threads` says otherwise: all at once up to the
    /// pool's size, in rounds past it.
    Pool,
    /// A task per request on an async runtime (tokio, smol, async-std), all at once.
    Runtime,
    /// An event loop of the project's own (the Twisted-style reactor, the green threads' hub),
    /// all at once on one thread.
    OwnLoop,
}

impl Family {
    /// Whether every request waits at once (given no `--concurrency` bound).
    pub fn all_at_once(self) -> bool {
        matches!(self, Family::Threads | Family::Runtime | Family::OwnLoop)
    }

    /// Whether its requests are tasks of an event loop, a runtime's or its own.
    pub fn is_event_loop(self) -> bool {
        matches!(self, Family::Runtime | Family::OwnLoop)
    }
}

/// How a client buffers what it reads from a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadBuffer {
    /// A buffer of a fixed size, whatever the body's.
    Fixed,
    /// hyper's adaptive buffer, which doubles while reads fill it, up to ~400 KiB a connection
    /// while a big body streams in; reqwest does not let it be set.
    Adaptive,
}

/// A colour of the charts, as red, green and blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// What a model or server stands on, which its header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// A runtime of the workspace's own, by the file that holds its loop:
    /// `crates/reactor/src/reactor.rs`.
    Own(&'static str),
    /// A crate of crates.io, by its name: `tokio`.
    Crate(&'static str),
    /// The operating system's threads and blocking calls, through a module of `std`.
    Std(&'static str),
}

/// Whether a reader should build on what a model stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A crate of crates.io, or `std`, still maintained.
    Maintained,
    /// A crate its maintainers have stopped work on.
    Discontinued(&'static Discontinued),
    /// A runtime of the workspace's own, written to be read, not deployed.
    Teaching,
}

/// A crate its maintainers have stopped work on, what they point to instead, and where they
/// say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discontinued {
    pub name: &'static str,
    pub instead: &'static str,
    pub notice: &'static str,
}

/// The crates the models stand on that are no longer maintained.
pub const DISCONTINUED: &[Discontinued] = &[Discontinued {
    name: "async-std",
    instead: "smol",
    notice: "https://github.com/async-rs/async-std",
}];

impl Runtime {
    /// Whether a reader should build on it.
    pub fn standing(self) -> Standing {
        match self {
            Runtime::Own(_) => Standing::Teaching,
            Runtime::Crate(name) => DISCONTINUED
                .iter()
                .find(|d| d.name == name)
                .map_or(Standing::Maintained, Standing::Discontinued),
            Runtime::Std(_) => Standing::Maintained,
        }
    }
}

/// A client model: a `crates/fetch-*` binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Model {
    /// The binary, package and crate name (`crates/fetch-tokio`).
    pub name: &'static str,
    /// The name in tables and charts: `tokio`.
    pub short: &'static str,
    pub family: Family,
    /// What it is built on, in a few words.
    pub library: &'static str,
    pub color: Rgb,
    /// The programs of the talks it plays, by their names in `data/talk-results.tsv`.
    pub talk: &'static [&'static str],
    /// The book's chapters that show it, by their files in `docs/book/src`.
    pub chapters: &'static [&'static str],
    pub runtime: Runtime,
    pub read_buffer: ReadBuffer,
    /// It runs on io_uring, which a machine may not allow: its checks are skipped there, and
    /// say so.
    pub io_uring: bool,
}

/// A server: a `crates/serve-*` binary, answering `GET /work?ms=&size=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Server {
    /// The binary, package and crate name (`crates/serve-tokio`).
    pub name: &'static str,
    /// The name in tables and charts: `tokio`.
    pub short: &'static str,
    pub family: Family,
    /// What it is built on, in a few words.
    pub library: &'static str,
    /// The colour of the client of the same model.
    pub color: Rgb,
    /// The book's chapters that show it, by their files in `docs/book/src`.
    pub chapters: &'static [&'static str],
    pub runtime: Runtime,
    /// It runs on io_uring, which a machine may not allow: its checks are skipped there, and
    /// say so.
    pub io_uring: bool,
    /// It runs one event loop on each of `--threads` threads, one by default (as one Twisted or
    /// gevent process has one): the benchmark measures it once more with a loop per core.
    pub loop_per_thread: bool,
}

const GREY: Rgb = Rgb(120, 120, 120);
const ORANGE: Rgb = Rgb(230, 120, 20);
const BROWN: Rgb = Rgb(150, 90, 40);
const PURPLE: Rgb = Rgb(140, 70, 180);
const GREEN: Rgb = Rgb(40, 150, 70);
const BLUE: Rgb = Rgb(30, 100, 200);
const RED: Rgb = Rgb(200, 40, 60);
const TEAL: Rgb = Rgb(20, 160, 170);
const GOLD: Rgb = Rgb(200, 150, 0);
const BLACK: Rgb = Rgb(0, 0, 0);
/// The Python rows: each a lighter shade of its Rust model's colour.
const LIGHT_GREY: Rgb = Rgb(185, 185, 185);
const LIGHT_ORANGE: Rgb = Rgb(245, 180, 110);
const LIGHT_RED: Rgb = Rgb(240, 135, 150);
const LIGHT_TEAL: Rgb = Rgb(120, 210, 215);
const DARK_TEAL: Rgb = Rgb(10, 95, 100);
const LIGHT_PURPLE: Rgb = Rgb(200, 155, 225);
const LIGHT_BLUE: Rgb = Rgb(120, 165, 235);
/// The JavaScript rows: shades of fetch-smol's green, the model they are read beside.
const LIGHT_GREEN: Rgb = Rgb(130, 205, 150);
const DARK_GREEN: Rgb = Rgb(15, 90, 40);
/// For a name the catalogue does not know.
const UNKNOWN: Rgb = Rgb(200, 200, 200);

/// Every client model, in the order the reports list them: the baseline first.
pub const MODELS: &[Model] = &[
    Model {
        name: "fetch-sync",
        short: "sync",
        family: Family::Sequential,
        library: "ureq, one request after another",
        color: GREY,
        chapters: &["sync.md", "blocking.md"],
        runtime: Runtime::Std("std::net"),
        talk: &["sync.py", "block.py"],
        read_buffer: ReadBuffer::Fixed,
        io_uring: false,
    },
    Model {
        name: "fetch-threads",
        short: "threads",
        family: Family::Threads,
        library: "ureq on a thread per endpoint, crossbeam-channel",
        color: ORANGE,
        chapters: &["threading.md", "threaded.md"],
        runtime: Runtime::Std("std::thread"),
        talk: &["thrd.py", "threaded.py"],
        read_buffer: ReadBuffer::Fixed,
        io_uring: false,
    },
    Model {
        name: "fetch-rayon",
        short: "rayon",
        family: Family::Pool,
        library: "ureq on rayon's pool",
        color: BROWN,
        chapters: &["rayon.md"],
        runtime: Runtime::Crate("rayon"),
        talk: &[],
        read_buffer: ReadBuffer::Fixed,
        io_uring: false,
    },
    Model {
        name: "fetch-async-std",
        short: "async-std",
        family: Family::Runtime,
        library: "surf (async-h1) on async-std",
        color: PURPLE,
        chapters: &["tornado.md"],
        runtime: Runtime::Crate("async-std"),
        talk: &["torn2.py"],
        read_buffer: ReadBuffer::Fixed,
        io_uring: false,
    },
    Model {
        name: "fetch-smol",
        short: "smol",
        family: Family::Runtime,
        library: "hyper on smol (smol-hyper)",
        color: GREEN,
        chapters: &["when.md"],
        runtime: Runtime::Crate("smol"),
        talk: &[],
        read_buffer: ReadBuffer::Fixed,
        io_uring: false,
    },
    Model {
        name: "fetch-tokio",
        short: "tokio",
        family: Family::Runtime,
        library: "reqwest (hyper) on tokio",
        color: BLUE,
        chapters: &["asyncio.md"],
        runtime: Runtime::Crate("tokio"),
        talk: &["async.py"],
        read_buffer: ReadBuffer::Adaptive,
        io_uring: false,
    },
    Model {
        name: "fetch-reactor",
        short: "reactor",
        family: Family::OwnLoop,
        library: "the reactor crate on mio, HTTP by h1",
        color: RED,
        chapters: &["twisted.md"],
        runtime: Runtime::Own("crates/reactor/src/reactor.rs"),
        talk: &["twis.py"],
        read_buffer: ReadBuffer::Fixed,
        io_uring: false,
    },
    Model {
        name: "fetch-green",
        short: "green",
        family: Family::OwnLoop,
        library: "the green crate (corosensei on mio), HTTP by h1",
        color: TEAL,
        chapters: &["eventlet.md", "gevent.md"],
        runtime: Runtime::Own("crates/green/src/hub.rs"),
        talk: &["evntlt.py", "gevnt.py"],
        read_buffer: ReadBuffer::Fixed,
        io_uring: false,
    },
    Model {
        name: "fetch-compio",
        short: "compio",
        family: Family::Runtime,
        library: "compio on io_uring (completions, not readiness), HTTP by h1",
        color: GOLD,
        chapters: &["completion.md"],
        runtime: Runtime::Crate("compio"),
        talk: &[],
        read_buffer: ReadBuffer::Fixed,
        io_uring: true,
    },
];

/// Every server, in the order of the comparison.
pub const SERVERS: &[Server] = &[
    Server {
        name: "serve-threads",
        short: "threads",
        family: Family::Threads,
        library: "std::net, a thread per connection",
        color: ORANGE,
        chapters: &["servers.md"],
        runtime: Runtime::Std("std::thread"),
        loop_per_thread: false,
        io_uring: false,
    },
    Server {
        name: "serve-tokio",
        short: "tokio",
        family: Family::Runtime,
        library: "hyper on tokio",
        color: BLUE,
        chapters: &["servers.md"],
        runtime: Runtime::Crate("tokio"),
        loop_per_thread: false,
        io_uring: false,
    },
    Server {
        name: "serve-smol",
        short: "smol",
        family: Family::Runtime,
        library: "hyper on smol (smol-hyper)",
        color: GREEN,
        chapters: &["servers.md"],
        runtime: Runtime::Crate("smol"),
        loop_per_thread: false,
        io_uring: false,
    },
    Server {
        name: "serve-green",
        short: "green",
        family: Family::OwnLoop,
        library: "the green crate's hub",
        color: TEAL,
        chapters: &["servers.md"],
        runtime: Runtime::Own("crates/green/src/hub.rs"),
        loop_per_thread: true,
        io_uring: false,
    },
    Server {
        name: "serve-reactor",
        short: "reactor",
        family: Family::OwnLoop,
        library: "the reactor crate",
        color: RED,
        chapters: &["servers.md"],
        runtime: Runtime::Own("crates/reactor/src/reactor.rs"),
        loop_per_thread: true,
        io_uring: false,
    },
    Server {
        name: "serve-compio",
        short: "compio",
        family: Family::Runtime,
        library: "compio on io_uring (completions, not readiness)",
        color: GOLD,
        chapters: &["servers.md", "completion.md"],
        runtime: Runtime::Crate("compio"),
        loop_per_thread: true,
        io_uring: true,
    },
];

/// What a Python reference row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PythonKind {
    /// A program of the talk "Async Python": the six sites, and the sweeps (`--count N`).
    Sites,
    /// A program of the talk "Asynchronicity": the jobs API (`--count N` for more zips).
    Jobs,
    /// A server answering `GET /work?ms=&size=` and `GET /stats`, as every serve-* does.
    Server,
}

/// What is a reference row of the talks' own programs, in Python or JavaScript: a program
/// that is read beside a Rust model, not one of them.
pub fn is_reference(row: &str) -> bool {
    let name = program(row);
    Python::named(name).is_some() || JavaScript::named(name).is_some()
}

/// How a row runs its requests: a model's, or a Python or JavaScript program's, family.
pub fn family(row: &str) -> Option<Family> {
    let name = program(row);
    Model::named(name)
        .map(|m| m.family)
        .or_else(|| Python::named(name).map(|p| p.family))
        .or_else(|| JavaScript::named(name).map(|j| j.family))
}

/// A reference row in Python: one of the talks' own programs (`python/talks`), or a Python
/// server for the talk's closing question (`python/servers`), run by the interpreter of the
/// environment `scripts/python.sh` creates ([`PYTHON`]) and measured beside the Rust rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Python {
    /// The file, which is also the row's name in tables and charts: `async.py`.
    pub name: &'static str,
    pub kind: PythonKind,
    pub family: Family,
    /// What it is built on, in a few words.
    pub library: &'static str,
    /// The Rust model (or server) it is read beside.
    pub beside: &'static str,
    pub color: Rgb,
}

/// The interpreter of the Python rows, from the workspace's root: `scripts/python.sh` creates
/// it. Without it the Python rows are left out, with a line saying so.
pub const PYTHON: &str = "python/.venv/bin/python";

/// The talks' programs in Python 3, in the talks' order.
pub const PYTHON_TALKS: &[Python] = &[
    Python {
        name: "sync.py",
        kind: PythonKind::Sites,
        family: Family::Sequential,
        library: "requests, one after another",
        beside: "fetch-sync",
        color: LIGHT_GREY,
    },
    Python {
        name: "twis.py",
        kind: PythonKind::Sites,
        family: Family::OwnLoop,
        library: "Twisted: Agent, Deferreds, DeferredList",
        beside: "fetch-reactor",
        color: LIGHT_RED,
    },
    Python {
        name: "evntlt.py",
        kind: PythonKind::Sites,
        family: Family::OwnLoop,
        library: "eventlet: GreenPool, monkey-patched requests",
        beside: "fetch-green",
        color: LIGHT_TEAL,
    },
    Python {
        name: "thrd.py",
        kind: PythonKind::Sites,
        family: Family::Threads,
        library: "threading, Queue, urllib",
        beside: "fetch-threads",
        color: LIGHT_ORANGE,
    },
    Python {
        name: "gevnt.py",
        kind: PythonKind::Sites,
        family: Family::OwnLoop,
        library: "gevent: spawn, joinall, monkey-patched requests",
        beside: "fetch-green",
        color: DARK_TEAL,
    },
    Python {
        name: "torn2.py",
        kind: PythonKind::Sites,
        family: Family::Runtime,
        library: "Tornado's AsyncHTTPClient",
        beside: "fetch-async-std",
        color: LIGHT_PURPLE,
    },
    Python {
        name: "block.py",
        kind: PythonKind::Jobs,
        family: Family::Sequential,
        library: "requests, one after another",
        beside: "fetch-sync",
        color: LIGHT_GREY,
    },
    Python {
        name: "threaded.py",
        kind: PythonKind::Jobs,
        family: Family::Threads,
        library: "a Thread per zip, requests",
        beside: "fetch-threads",
        color: LIGHT_ORANGE,
    },
    Python {
        name: "async.py",
        kind: PythonKind::Jobs,
        family: Family::Runtime,
        library: "asyncio and aiohttp, as_completed",
        beside: "fetch-tokio",
        color: LIGHT_BLUE,
    },
];

/// The Python servers, one per model of the talks.
pub const PYTHON_SERVERS: &[Python] = &[
    Python {
        name: "serve_threads.py",
        kind: PythonKind::Server,
        family: Family::Threads,
        library: "http.server, a thread per connection",
        beside: "serve-threads",
        color: LIGHT_ORANGE,
    },
    Python {
        name: "serve_gevent.py",
        kind: PythonKind::Server,
        family: Family::OwnLoop,
        library: "gevent's WSGI server, a greenlet per connection",
        beside: "serve-green",
        color: DARK_TEAL,
    },
    Python {
        name: "serve_twisted.py",
        kind: PythonKind::Server,
        family: Family::OwnLoop,
        library: "twisted.web on the epoll reactor",
        beside: "serve-reactor",
        color: LIGHT_RED,
    },
    Python {
        name: "serve_tornado.py",
        kind: PythonKind::Server,
        family: Family::Runtime,
        library: "Tornado's HTTPServer on asyncio",
        beside: "serve-tokio",
        color: LIGHT_PURPLE,
    },
    Python {
        name: "serve_aiohttp.py",
        kind: PythonKind::Server,
        family: Family::Runtime,
        library: "aiohttp's web server on asyncio",
        beside: "serve-tokio",
        color: LIGHT_BLUE,
    },
];

impl Python {
    /// The Python row named `name`, a program of the talks or a server.
    pub fn named(name: &str) -> Option<&'static Python> {
        PYTHON_TALKS
            .iter()
            .chain(PYTHON_SERVERS)
            .find(|p| p.name == name)
    }

    /// Its file, from the workspace's root: `python/talks/async.py`.
    pub fn path(&self) -> String {
        let dir = match self.kind {
            PythonKind::Server => "servers",
            PythonKind::Sites | PythonKind::Jobs => "talks",
        };
        format!("python/{dir}/{}", self.name)
    }
}

/// Where a JavaScript reference row runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Node.js: its one thread, libuv's loop, and `fetch` from undici.
    Node,
    /// Headless Chromium, which `js/talks/browser.mjs` drives from Node (playwright-core): a
    /// page's requests on the browser's network stack, at most [`BROWSER_CONNECTIONS_PER_HOST`]
    /// at once to one host.
    Chromium,
}

/// How many connections a browser opens to one host over HTTP/1.1 (Chromium's socket pool, as
/// every major browser): a page's further requests wait for one of them.
pub const BROWSER_CONNECTIONS_PER_HOST: usize = 6;

/// A reference row in JavaScript: the talk's `async.html` in a browser, or the same join in
/// Node (`js/talks`), run by `node` after `scripts/js.sh` has installed their packages, and
/// measured beside the Rust rows as the Python programs are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JavaScript {
    /// The file, which is also the row's name in tables and charts: `async.html`.
    pub name: &'static str,
    pub engine: Engine,
    /// It fetches the six sites (and, with `--count`, the sweeps' endpoints).
    pub sites: bool,
    /// It fetches the jobs API over the talk's 100 zips.
    pub jobs: bool,
    /// It takes `--count`: the jobs API at scale, as well as the talk's 100 zips.
    pub scales: bool,
    pub family: Family,
    /// What it is built on, in a few words.
    pub library: &'static str,
    /// The Rust model it is read beside.
    pub beside: &'static str,
    pub color: Rgb,
}

/// The JavaScript of the talk "Asynchronicity": its page, and the same join in Node.
pub const JS_TALKS: &[JavaScript] = &[
    JavaScript {
        name: "async.html",
        engine: Engine::Chromium,
        sites: false,
        jobs: true,
        scales: false,
        // Six connections, each taking the next request as one ends: a pool, not all at once.
        family: Family::Pool,
        library: "jQuery's $.getJSON and $.when, in headless Chromium",
        beside: "fetch-smol",
        color: DARK_GREEN,
    },
    JavaScript {
        name: "promises.mjs",
        engine: Engine::Node,
        sites: true,
        jobs: true,
        scales: true,
        family: Family::Runtime,
        library: "Node's fetch (undici) under Promise.all",
        beside: "fetch-smol",
        color: LIGHT_GREEN,
    },
];

/// The JavaScript rows' runtime: Node.js 18 or later, on the `PATH`.
pub const NODE: &str = "node";

impl JavaScript {
    /// The JavaScript row named `name`.
    pub fn named(name: &str) -> Option<&'static JavaScript> {
        JS_TALKS.iter().find(|j| j.name == name)
    }

    /// Its file, from the workspace's root: `js/talks/async.html`.
    pub fn path(&self) -> String {
        format!("js/talks/{}", self.name)
    }

    /// The file `node` runs for it: the program itself, or, for a page, the driver that opens
    /// it in the browser.
    pub fn script(&self) -> String {
        match self.engine {
            Engine::Node => self.path(),
            Engine::Chromium => "js/talks/browser.mjs".into(),
        }
    }

    /// The most requests it has on the wire at once, where its engine bounds them.
    pub fn bound(&self) -> Option<usize> {
        match self.engine {
            Engine::Node => None,
            Engine::Chromium => Some(BROWSER_CONNECTIONS_PER_HOST),
        }
    }
}

/// The reference row of the comparison: `curl --parallel` over the same URLs, the client a user
/// would pick instead of any of the models. It runs at most [`CURL_PARALLEL_MAX`] transfers at
/// once.
pub const CURL: &str = "curl";

/// curl's own ceiling for `--parallel-max`.
pub const CURL_PARALLEL_MAX: usize = 300;

impl Model {
    /// The model named `name`, if there is one.
    pub fn named(name: &str) -> Option<&'static Model> {
        MODELS.iter().find(|m| m.name == name)
    }

    /// The server of the same model (`serve-tokio` for `fetch-tokio`), where there is one.
    pub fn server(&self) -> Option<&'static Server> {
        SERVERS.iter().find(|s| s.short == self.short)
    }

    /// The talks' programs in Python that are read beside it.
    pub fn python(&self) -> impl Iterator<Item = &'static Python> + use<> {
        let name = self.name;
        PYTHON_TALKS.iter().filter(move |p| p.beside == name)
    }

    /// The JavaScript rows that are read beside it.
    pub fn javascript(&self) -> impl Iterator<Item = &'static JavaScript> + use<> {
        let name = self.name;
        JS_TALKS.iter().filter(move |j| j.beside == name)
    }
}

impl Server {
    /// The server named `name`, if there is one.
    pub fn named(name: &str) -> Option<&'static Server> {
        SERVERS.iter().find(|s| s.name == name)
    }

    /// The Python servers that are read beside it.
    pub fn python(&self) -> impl Iterator<Item = &'static Python> + use<> {
        let name = self.name;
        PYTHON_SERVERS.iter().filter(move |p| p.beside == name)
    }
}

/// The program a row of a table or a series of a chart names: its first word, since a row run
/// with flags of its own ("fetch-tokio --concurrency 2") is still that program.
pub fn program(row: &str) -> &str {
    row.split(' ').next().unwrap_or(row)
}

/// The colour of a model, a server or curl, the same in every chart; a row run with flags of
/// its own keeps its program's colour.
pub fn color(row: &str) -> Rgb {
    let name = program(row);
    if name == CURL {
        return BLACK;
    }
    Model::named(name)
        .map(|m| m.color)
        .or_else(|| Server::named(name).map(|s| s.color))
        .or_else(|| Python::named(name).map(|p| p.color))
        .or_else(|| JavaScript::named(name).map(|j| j.color))
        .or_else(|| Waiter::named(name).map(Waiter::color))
        .unwrap_or(UNKNOWN)
}

/// A row's name in a table or a legend: the program's short name, with the flags of the row.
pub fn short(row: &str) -> String {
    let name = program(row);
    let short = Model::named(name)
        .map(|m| m.short)
        .or_else(|| Server::named(name).map(|s| s.short))
        .unwrap_or(name);
    format!("{short}{}", &row[name.len()..])
}

/// A name for tables: curl's says how many transfers it runs at once, a page in a browser how
/// many its browser sends to one host.
pub fn label(row: &str) -> String {
    if row == CURL {
        return format!("{CURL} (≤ {CURL_PARALLEL_MAX} at once)");
    }
    match JavaScript::named(row).and_then(JavaScript::bound) {
        Some(bound) => format!("{row} (≤ {bound} per host)"),
        None => row.to_string(),
    }
}

/// The order of a row in the reports: the models' (or servers') order, then curl and anything
/// else, then the Python rows in theirs, then the JavaScript rows.
pub fn rank(row: &str) -> usize {
    let name = program(row);
    let rust = MODELS.len().max(SERVERS.len());
    MODELS
        .iter()
        .position(|m| m.name == name)
        .or_else(|| SERVERS.iter().position(|s| s.name == name))
        .or_else(|| {
            PYTHON_TALKS
                .iter()
                .chain(PYTHON_SERVERS)
                .position(|p| p.name == name)
                .map(|i| rust + 1 + i)
        })
        .or_else(|| {
            let python = PYTHON_TALKS.len() + PYTHON_SERVERS.len();
            JS_TALKS
                .iter()
                .position(|j| j.name == name)
                .map(|i| rust + 1 + python + i)
        })
        .unwrap_or(rust)
}

mod waiters;
pub use waiters::{Language, WAITERS, Waiter};

#[cfg(test)]
mod tests;
