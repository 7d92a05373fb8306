//! A run's files, one row type each: the one door between the side that measures (`bench`)
//! and the side that writes the documents (`rundata`, `tables`, `findings`, `docgen`).
//!
//! Every CSV file of a run has one row type here, derived with serde, and one [`Table`] naming
//! its path: the benchmark writes rows through it and the documents read them back through the
//! same type, as criterion's `estimates.json` and hyperfine's exports are typed. The two JSON
//! files, `machine.json` and `settings.json`, are typed the same way ([`Machine`],
//! [`Settings`]).
//!
//! Reading is strict. A file whose header lacks a column of its type, or has one the type does
//! not know, is an error naming the file, the line and the column; so is a value that does not
//! parse. A file that is not there is a part that did not run, and reads as no rows. A run
//! records the version of its format in `settings.json` ([`FORMAT`]); a run of another version
//! is an error that says so.
//!
//! Errors are typed ([`Error`]) since a caller tells a missing run from a malformed one.

use std::fs::File;
use std::io;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

mod clients;
mod run;
mod servers;

pub use clients::{CellSummary, ClientRun, Request, Status, WaitRun, WaitStatus};
pub use run::{
    ClientSettings, HostileSettings, Limits, Machine, Maybe, MemorySettings, Part, PartRecord,
    PerConnections, PinnedSettings, RateSettings, ServerSettings, Settings, Skippable,
    SyscallSettings, WaitSettings,
};
pub use servers::{Case, HeapRow, HostileRow, RateRun, ServerRun, Setup, SlabRow, SyscallRow};

/// The version of the files' format. A run written by another version is refused with a
/// message that says so, instead of being read into wrong figures.
pub const FORMAT: u32 = 3;

/// Why a run's file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read or write {}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// A header or a value that does not fit the file's row type.
    #[error("{}, line {line}: {message}", path.display())]
    Row {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Json { path: PathBuf, message: String },
    #[error(
        "{} is of format {found}; this code reads format {FORMAT}: make the run again with \
         `scripts/run_all.sh`, or read it with the code of the commit in its machine.json",
        path.display()
    )]
    Format { path: PathBuf, found: u32 },
}

pub type Result<T> = std::result::Result<T, Error>;

/// One CSV file of a run: its path in the run's folder and the type of its rows.
#[derive(Debug)]
pub struct Table<T> {
    pub path: &'static str,
    row: PhantomData<fn() -> T>,
}

impl<T> Clone for Table<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Table<T> {}

impl<T> Table<T> {
    const fn new(path: &'static str) -> Table<T> {
        Table {
            path,
            row: PhantomData,
        }
    }
}

/// `clients/runs.csv`: every run of a client, a line written as it ends.
pub const CLIENT_RUNS: Table<ClientRun> = Table::new("clients/runs.csv");
/// `clients/summary.csv`: each cell's medians and spreads.
pub const CLIENT_CELLS: Table<CellSummary> = Table::new("clients/summary.csv");
/// `clients/requests.csv`: each request of the timeline workloads.
pub const REQUESTS: Table<Request> = Table::new("clients/requests.csv");
/// `servers/runs.csv`: every server under the shared closed loop.
pub const SERVER_RUNS: Table<ServerRun> = Table::new("servers/runs.csv");
/// `servers/pinned.csv`: the Rust servers on one core, the load generator on another.
pub const PINNED_RUNS: Table<ServerRun> = Table::new("servers/pinned.csv");
/// `servers/rates.csv`: every server at fixed offered rates.
pub const RATE_RUNS: Table<RateRun> = Table::new("servers/rates.csv");
/// `hostile/hostile.csv`: each server under each hostile case.
pub const HOSTILE: Table<HostileRow> = Table::new("hostile/hostile.csv");
/// `hostile/slab.csv`: the kernel's object sizes behind a connection.
pub const SLABS: Table<SlabRow> = Table::new("hostile/slab.csv");
/// `syscalls/syscalls.csv`: each server's system calls under load.
pub const SYSCALLS: Table<SyscallRow> = Table::new("syscalls/syscalls.csv");
/// `memory/heap.csv`: the heap at its peak, by site.
pub const HEAP: Table<HeapRow> = Table::new("memory/heap.csv");
/// `waits/runs.csv`: every waiting program at every N.
pub const WAIT_RUNS: Table<WaitRun> = Table::new("waits/runs.csv");

/// `machine.json`.
pub const MACHINE: &str = "machine.json";
/// `settings.json`.
pub const SETTINGS: &str = "settings.json";

/// The columns of a row type, in order: the header its writer writes and its reader demands.
pub fn columns<T: Serialize + Default>() -> Vec<String> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(true)
        .from_writer(Vec::new());
    // A row type is a flat struct of plain fields, which always serializes.
    writer
        .serialize(T::default())
        .expect("a row type serializes");
    let bytes = writer.into_inner().expect("a Vec takes every byte");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    reader
        .headers()
        .expect("the header just written")
        .iter()
        .map(str::to_string)
        .collect()
}

/// A CSV file of a run being written, a line at a time, each flushed as it is written so that
/// an interrupted run keeps every line it measured.
#[derive(Debug)]
pub struct Writer<T> {
    path: PathBuf,
    csv: csv::Writer<File>,
    row: PhantomData<fn(T)>,
}

impl<T: Serialize + Default> Writer<T> {
    /// Creates the file in the run's folder `dir`, with its header.
    pub fn create(dir: &Path, table: Table<T>) -> Result<Writer<T>> {
        let path = dir.join(table.path);
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let file = File::create(&path).map_err(io)?;
        let mut csv = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(file);
        let wrote = csv
            .write_record(columns::<T>())
            .and_then(|()| Ok(csv.flush()?));
        let mut writer = Writer {
            path,
            csv,
            row: PhantomData,
        };
        wrote.map_err(|e| writer.error(e))?;
        Ok(writer)
    }

    pub fn row(&mut self, row: &T) -> Result<()> {
        let wrote = self.csv.serialize(row).and_then(|()| Ok(self.csv.flush()?));
        wrote.map_err(|e| self.error(e))
    }

    fn error(&mut self, e: csv::Error) -> Error {
        Error::Io {
            path: self.path.clone(),
            source: io::Error::other(e),
        }
    }
}

/// Writes a whole file of rows at once.
pub fn write<T: Serialize + Default>(dir: &Path, table: Table<T>, rows: &[T]) -> Result<()> {
    let mut writer = Writer::create(dir, table)?;
    rows.iter().try_for_each(|row| writer.row(row))
}

/// Every row of a run's file; none where the file is not there (its part did not run).
pub fn read<T: DeserializeOwned + Serialize + Default>(
    dir: &Path,
    table: Table<T>,
) -> Result<Vec<T>> {
    let path = dir.join(table.path);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(Error::Io { path, source }),
    };
    parse(&path, &text)
}

/// The rows of `text`, the contents of `path`.
pub fn parse<T: DeserializeOwned + Serialize + Default>(path: &Path, text: &str) -> Result<Vec<T>> {
    parse_with(path, text, true)
}

/// The rows of a file of an earlier format for the columns `T` names, its other columns left
/// unread: the experiments under `docs/experiments`, which keep the format of their day.
pub fn read_columns<T: DeserializeOwned + Serialize + Default>(path: &Path) -> Result<Vec<T>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_with(path, &text, false)
}

fn parse_with<T: DeserializeOwned + Serialize + Default>(
    path: &Path,
    text: &str,
    strict: bool,
) -> Result<Vec<T>> {
    let row_error = |line: u64, message: String| Error::Row {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| row_error(1, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let expected = columns::<T>();
    if let Some(missing) = expected.iter().find(|c| !header.contains(c)) {
        return Err(row_error(
            1,
            format!("no column `{missing}` (the file has {})", header.join(",")),
        ));
    }
    if let Some(unknown) = header.iter().find(|c| strict && !expected.contains(c)) {
        return Err(row_error(
            1,
            format!(
                "a column `{unknown}` that this format does not have (it has {})",
                expected.join(",")
            ),
        ));
    }
    let names = csv::StringRecord::from(header.clone());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|e| row_error(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let row = record.deserialize(Some(&names)).map_err(|e| {
            let column = match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => err
                    .field()
                    .and_then(|i| header.get(i as usize))
                    .map(|c| format!("column `{c}`: {}", err.kind())),
                _ => None,
            };
            row_error(line, column.unwrap_or_else(|| e.to_string()))
        })?;
        rows.push(row);
    }
    Ok(rows)
}

/// A JSON file of a run, as its type.
pub fn read_json<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<T> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Json {
        path,
        message: e.to_string(),
    })
}

/// Writes a JSON file of a run.
pub fn write_json<T: Serialize>(dir: &Path, name: &str, value: &T) -> Result<()> {
    let path = dir.join(name);
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Json {
        path: path.clone(),
        message: e.to_string(),
    })?;
    std::fs::write(&path, text + "\n").map_err(|source| Error::Io { path, source })
}

/// The format a run's folder was written in, from its `settings.json` (1 where it names none,
/// as the runs before the format was recorded).
pub fn format_of(dir: &Path) -> Result<u32> {
    #[derive(serde::Deserialize)]
    struct Format {
        #[serde(default = "first")]
        format: u32,
    }
    fn first() -> u32 {
        1
    }
    Ok(read_json::<Format>(dir, SETTINGS)?.format)
}

/// Refuses a run of another format than [`FORMAT`], saying so.
pub fn check_format(dir: &Path) -> Result<()> {
    match format_of(dir)? {
        FORMAT => Ok(()),
        found => Err(Error::Format {
            path: dir.join(SETTINGS),
            found,
        }),
    }
}

/// Serializes a whole number held in an `f64` as an integer (`20000`, not `20000.0`), and any
/// other as a float.
pub(crate) fn whole_number<S: serde::Serializer>(
    v: &f64,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    whole(&Some(*v), s)
}

/// The same for an optional figure.
pub(crate) fn whole<S: serde::Serializer>(
    v: &Option<f64>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 => {
            s.serialize_some(&(*x as i64))
        }
        Some(x) => s.serialize_some(x),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests;
