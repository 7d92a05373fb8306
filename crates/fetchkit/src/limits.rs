//! How many threads the machine lets this process start, read off its limit on memory mappings:
//! a model with a thread per request (fetch-threads) and a server with a thread per connection
//! (serve-threads) stay below it, since past it the standard library aborts the whole process.
//!
//! A thread costs more than its stack: four memory mappings (the stack and its guard page, the
//! signal stack and its guard), a task of the kernel's. Linux allows `vm.max_map_count` mappings
//! (65,530 by default), so about 16,000 threads, and a thread that cannot map its signal stack
//! ends the process ("failed to set up alternative stack guard page"): `Builder::spawn` returns
//! no error for it.

use std::io;

/// The memory mappings counted for one more thread: 4 of its own (measured: 430 more mappings
/// for 100 threads that only wait, malloc's arenas included), and one for what it may allocate
/// with `mmap` (a large buffer).
const MAPPINGS_PER_THREAD: usize = 5;

/// The mappings kept free for the rest of the process: its libraries, malloc's arenas, a
/// runtime's own threads.
const MARGIN: usize = 512;

/// How many threads the machine lets this process start, and which of its limits says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadBudget {
    pub threads: usize,
    /// The limit that sets it, and the setting that lifts it on a reader's machine.
    pub limit: String,
}

/// Reads the machine's limit on memory mappings, `vm.max_map_count`, against the mappings this
/// process has already, and keeps a margin for the rest of the process (its libraries, malloc's
/// arenas). The other limits on threads (`ulimit -u`, `kernel.pid_max`, `kernel.threads-max`, a
/// cgroup's `pids.max`) make `Builder::spawn` return an error, which the models and servers turn
/// into a refused endpoint or connection; only the mappings end the process.
pub fn thread_budget() -> ThreadBudget {
    let maps = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|t| t.trim().parse::<usize>().ok());
    let Some(maps) = maps else {
        return ThreadBudget {
            threads: usize::MAX,
            limit: "none: /proc/sys/vm/max_map_count cannot be read".into(),
        };
    };
    let mapped = std::fs::read_to_string("/proc/self/maps").map_or(0, |t| t.lines().count());
    let free = maps.saturating_sub(mapped + MARGIN);
    ThreadBudget {
        threads: (free / MAPPINGS_PER_THREAD).max(1),
        limit: format!(
            "vm.max_map_count = {maps}, {MAPPINGS_PER_THREAD} mappings a thread (sysctl -w vm.max_map_count=N lifts it)"
        ),
    }
}

/// The soft and hard limits on open file descriptors (`RLIMIT_NOFILE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdLimit {
    pub soft: u64,
    pub hard: u64,
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit and returns the limits now in force.
///
/// Every connection costs a descriptor (two when client and origin share a process), and the
/// soft limit is often far below the hard one.
pub fn raise_fd_limit() -> io::Result<FdLimit> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the duration of the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: `raised` is a valid rlimit; raising the soft limit up to the hard one is allowed.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit = raised;
        }
    }
    Ok(FdLimit {
        soft: limit.rlim_cur,
        hard: limit.rlim_max,
    })
}
