//! The talk's side programs print what the talk's did.

use std::process::Command;

fn run(bin: &str) -> String {
    let output = Command::new(bin).output().expect("run the example");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_event_loop_runs_the_callbacks_in_time_order() {
    let out = run(env!("CARGO_BIN_EXE_event_loop"));
    let order: Vec<&str> = out
        .lines()
        .map(|l| l.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(
        order[..4],
        [
            "did some work",
            "tick 1",
            "tick 2",
            "ending loop for result"
        ],
        "{out}"
    );
    assert!(out.contains("ending loop for result: 5"), "{out}");
}

#[test]
fn coroutines_finish_in_the_order_of_their_delays_at_once() {
    let out = run(env!("CARGO_BIN_EXE_coroutines"));
    let zips: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split(": ").nth(1)?.split(' ').next())
        .collect();
    assert_eq!(zips[..3], ["60629", "90011", "79936"], "{out}");
    let last = out.lines().last().unwrap_or("");
    assert!(last.starts_with("jobs available: 24, in "), "{out}");
    // Three waits of 0.3, 0.2 and 0.1 s overlap: about 0.3 s, far from their 0.6 s sum.
    let seconds: f64 = last
        .split("in ")
        .nth(1)
        .and_then(|s| s.split(' ').next()?.parse().ok())
        .expect("seconds");
    assert!((0.3..0.55).contains(&seconds), "{out}");
}

#[test]
fn a_list_holds_memory_that_an_iterator_does_not() {
    let out = run(env!("CARGO_BIN_EXE_generators"));
    let held: Vec<u64> = out
        .lines()
        .filter_map(|l| l.strip_prefix("mem:"))
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    assert_eq!(held.len(), 3, "{out}");
    // Ten million u64 are 80 MB; the iterators hold next to nothing.
    assert!(held[2] > 70_000_000, "{out}");
    assert!(held[0] < 1_000_000 && held[1] < 1_000_000, "{out}");
}
