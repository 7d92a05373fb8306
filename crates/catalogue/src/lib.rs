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
        loop_per_thread: false,
        io_uring: false,
    },
    Server {
        name: "serve-tokio",
        short: "tokio",
        family: Family::Runtime,
        library: "hyper on tokio",
        color: BLUE,
        loop_per_thread: false,
        io_uring: false,
    },
    Server {
        name: "serve-smol",
        short: "smol",
        family: Family::Runtime,
        library: "hyper on smol (smol-hyper)",
        color: GREEN,
        loop_per_thread: false,
        io_uring: false,
    },
    Server {
        name: "serve-green",
        short: "green",
        family: Family::OwnLoop,
        library: "the green crate's hub",
        color: TEAL,
        loop_per_thread: true,
        io_uring: false,
    },
    Server {
        name: "serve-reactor",
        short: "reactor",
        family: Family::OwnLoop,
        library: "the reactor crate",
        color: RED,
        loop_per_thread: true,
        io_uring: false,
    },
    Server {
        name: "serve-compio",
        short: "compio",
        family: Family::Runtime,
        library: "compio on io_uring (completions, not readiness)",
        color: GOLD,
        loop_per_thread: true,
        io_uring: true,
    },
];

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
}

impl Server {
    /// The server named `name`, if there is one.
    pub fn named(name: &str) -> Option<&'static Server> {
        SERVERS.iter().find(|s| s.name == name)
    }
}

/// The program a row of a table or a series of a chart names: its first word, since a row run
/// with flags of its own ("fetch-tokio --concurrency 2") is still that program.
fn program(row: &str) -> &str {
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

/// A name for tables: curl's says how many transfers it runs at once.
pub fn label(row: &str) -> String {
    if row == CURL {
        format!("{CURL} (≤ {CURL_PARALLEL_MAX} at once)")
    } else {
        row.to_string()
    }
}

/// The order of a row in the reports: the models' (or servers') order, then anything else.
pub fn rank(row: &str) -> usize {
    let name = program(row);
    MODELS
        .iter()
        .position(|m| m.name == name)
        .or_else(|| SERVERS.iter().position(|s| s.name == name))
        .unwrap_or(MODELS.len().max(SERVERS.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_a_crate_and_every_crate_an_entry() {
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let names = MODELS.iter().map(|m| m.name);
        for name in names.clone().chain(SERVERS.iter().map(|s| s.name)) {
            let main = crates.join(name).join("src/main.rs");
            assert!(main.is_file(), "{name} has no {}", main.display());
        }
        let on_disk = |prefix: &str| {
            std::fs::read_dir(&crates)
                .expect("crates/")
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|name| name.starts_with(prefix))
                .count()
        };
        assert_eq!(
            on_disk("fetch-"),
            MODELS.len(),
            "a fetch-* crate is missing"
        );
        assert_eq!(
            on_disk("serve-"),
            SERVERS.len(),
            "a serve-* crate is missing"
        );
    }

    #[test]
    fn short_names_and_colours_tell_the_rows_apart() {
        for (i, a) in MODELS.iter().enumerate() {
            for b in &MODELS[i + 1..] {
                assert_ne!(a.short, b.short);
                assert_ne!(a.color, b.color, "{} and {}", a.name, b.name);
            }
        }
        assert_eq!(
            short("fetch-tokio --concurrency 2"),
            "tokio --concurrency 2"
        );
        assert_eq!(short("serve-green --threads 2"), "green --threads 2");
        assert_eq!(short("curl"), "curl");
        assert_eq!(color("serve-smol"), color("fetch-smol"));
        assert_eq!(rank("fetch-sync"), 0);
    }
}
