//! The models of the comparison, listed once.

/// How a model runs its requests, which decides how long a run should take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One at a time: the wall time is the sum of the delays.
    Sequential,
    /// A thread per request, all at once: the wall time is the slowest delay.
    Threads,
    /// A pool of threads, one per core unless `--threads` says otherwise: all at once up to the
    /// pool's size, in rounds past it.
    Pool,
    /// A task per request on an event loop, all at once: the wall time is the slowest delay.
    Tasks,
}

impl Kind {
    /// Whether every request waits at once (given no `--concurrency` bound).
    pub fn all_at_once(self) -> bool {
        matches!(self, Kind::Threads | Kind::Tasks)
    }
}

/// How a model's HTTP client buffers what it reads from a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadBuffer {
    /// A buffer of a fixed size, whatever the body's.
    Fixed,
    /// hyper's adaptive buffer, which doubles while reads fill it, up to ~400 KiB a connection
    /// while a big body streams in; reqwest does not let it be set.
    Adaptive,
}

/// A model: its binary (and package) name, how it runs its requests, how its client reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelInfo {
    /// The binary and package name, e.g. `fetch-tokio`.
    pub name: &'static str,
    pub kind: Kind,
    pub read_buffer: ReadBuffer,
}

impl ModelInfo {
    /// The name without its `fetch-` prefix, for tables and charts: `tokio`.
    pub fn short(&self) -> &'static str {
        self.name.strip_prefix("fetch-").unwrap_or(self.name)
    }

    /// The model named `name`, if there is one.
    pub fn named(name: &str) -> Option<ModelInfo> {
        MODELS.iter().copied().find(|m| m.name == name)
    }
}

/// The reference row of the comparison: `curl --parallel` over the same URLs, the client a user
/// would pick instead of any of the models. It runs at most [`CURL_PARALLEL_MAX`] transfers at
/// once.
pub const CURL: &str = "curl";

/// curl's own ceiling for `--parallel-max`.
pub const CURL_PARALLEL_MAX: usize = 300;

/// A name for tables: curl's says how many transfers it runs at once.
pub fn label(model: &str) -> String {
    if model == CURL {
        format!("{CURL} (≤ {CURL_PARALLEL_MAX} at once)")
    } else {
        model.to_string()
    }
}

/// Every model, in the order the reports list them: the baseline first.
pub const MODELS: &[ModelInfo] = &[
    ModelInfo {
        name: "fetch-sync",
        kind: Kind::Sequential,
        read_buffer: ReadBuffer::Fixed,
    },
    ModelInfo {
        name: "fetch-threads",
        kind: Kind::Threads,
        read_buffer: ReadBuffer::Fixed,
    },
    ModelInfo {
        name: "fetch-rayon",
        kind: Kind::Pool,
        read_buffer: ReadBuffer::Fixed,
    },
    ModelInfo {
        name: "fetch-async-std",
        kind: Kind::Tasks,
        read_buffer: ReadBuffer::Fixed,
    },
    ModelInfo {
        name: "fetch-smol",
        kind: Kind::Tasks,
        read_buffer: ReadBuffer::Fixed,
    },
    ModelInfo {
        name: "fetch-tokio",
        kind: Kind::Tasks,
        read_buffer: ReadBuffer::Adaptive,
    },
    ModelInfo {
        name: "fetch-reactor",
        kind: Kind::Tasks,
        read_buffer: ReadBuffer::Fixed,
    },
    ModelInfo {
        name: "fetch-green",
        kind: Kind::Tasks,
        read_buffer: ReadBuffer::Fixed,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_has_a_crate() {
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for model in MODELS {
            let main = crates.join(model.name).join("src/main.rs");
            assert!(main.is_file(), "{} has no {}", model.name, main.display());
        }
        let on_disk = std::fs::read_dir(&crates)
            .expect("crates/")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|name| name.starts_with("fetch-"))
            .count();
        assert_eq!(
            on_disk,
            MODELS.len(),
            "a fetch-* crate is missing from MODELS"
        );
    }
}
