//! The CPU time of one thread, which the origin reports as its own (the descriptor limit that
//! the origin, the clients and the servers share is `fetchkit::raise_fd_limit`).

use std::time::Duration;

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
