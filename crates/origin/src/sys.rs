//! The few operating-system calls the origin and the clients share: the descriptor limit and the
//! CPU time of one thread.

use std::io;
use std::time::Duration;

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

/// CPU time (user and system together) that `thread` has used so far, from its POSIX CPU-time
/// clock. `None` where the clock cannot be read.
pub fn thread_cpu_time(thread: &std::thread::JoinHandle<()>) -> Option<Duration> {
    use std::os::unix::thread::JoinHandleExt;
    let mut clock: libc::clockid_t = 0;
    // SAFETY: the handle's thread has not been joined, so its pthread_t is valid; `clock` is
    // writable.
    if unsafe { libc::pthread_getcpuclockid(thread.as_pthread_t(), &mut clock) } != 0 {
        return None;
    }
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is writable; `clock` came from pthread_getcpuclockid.
    if unsafe { libc::clock_gettime(clock, &mut now) } != 0 {
        return None;
    }
    Some(Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fd_limit_is_raised_to_the_hard_limit() {
        let limit = raise_fd_limit().expect("getrlimit");
        assert_eq!(limit.soft, limit.hard);
    }

    #[test]
    fn a_busy_thread_has_cpu_time() {
        let busy = std::thread::spawn(|| {
            let start = std::time::Instant::now();
            let mut x = 0u64;
            while start.elapsed() < Duration::from_millis(300) {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        });
        std::thread::sleep(Duration::from_millis(200));
        let cpu = thread_cpu_time(&busy).expect("a CPU-time clock");
        assert!(cpu > Duration::from_millis(50), "{cpu:?}");
        busy.join().unwrap();
    }
}
