//! The pool bounds the requests in flight.

use harness::Model;

fn rayon() -> Model {
    Model::new(env!("CARGO_BIN_EXE_fetch-rayon"))
}

#[test]
fn one_thread_is_sequential() {
    rayon().with_args(&["--threads", "1"]).overlap();
}

#[test]
fn the_pool_size_is_the_peak_in_flight() {
    let (_, json) = rayon().with_args(&["--threads", "2"]).run_json(
        &["--count", "8", "--size", "10", "--delay", "0.2"],
        std::time::Duration::from_secs(30),
    );
    assert_eq!(json["ok"], 8, "{json}");
    assert_eq!(json["peak_in_flight"], 2, "{json}");
    // Eight requests of 0.2 s on two threads: four rounds.
    assert!(json["wall_s"].as_f64() >= Some(0.8), "{json}");
}
