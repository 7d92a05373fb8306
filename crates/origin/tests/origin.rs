//! The origin on its own, spoken to in raw HTTP/1.1 over loopback.

use std::path::Path;
use std::time::{Duration, Instant};

use origin::{Config, Origin};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// GETs `path` with `Connection: close` and returns the status code and the body.
async fn get(addr: &str, path: &str) -> (u16, Vec<u8>) {
    let (status, _, body) = get_with_head(addr, path).await;
    (status, body)
}

/// GETs `path` and returns the status code, the head and the body.
async fn get_with_head(addr: &str, path: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let head_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head")
        + 4;
    let head = String::from_utf8_lossy(&response[..head_end]).to_string();
    let status = head[9..12].parse().expect("a status code");
    (status, head, response[head_end..].to_vec())
}

fn start(time_scale: f64) -> (Origin, String) {
    let origin = Origin::start(Config {
        time_scale,
        tls: true,
        ..Config::default()
    })
    .expect("start");
    let addr = origin.base_url().trim_start_matches("http://").to_string();
    (origin, addr)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn every_site_has_its_exact_size_and_the_same_bytes_each_time() {
    let (_origin, addr) = start(0.0);
    runtime().block_on(async {
        for site in origin::sites() {
            let (status, body) = get(&addr, &site.path()).await;
            assert_eq!(status, 200);
            assert_eq!(body.len(), site.bytes, "{}", site.name);
            let (_, again) = get(&addr, &site.path()).await;
            assert_eq!(body, again, "{}", site.name);
        }
        let (status, body) = get(&addr, "/bytes/12345").await;
        assert_eq!((status, body.len()), (200, 12345));
    });
}

#[test]
fn the_jobs_api_answers_json_that_adds_up_to_the_talks_total() {
    let (_origin, addr) = start(0.0);
    runtime().block_on(async {
        let mut total = 0;
        for zip in origin::zips() {
            let (status, body) = get(&addr, &format!("/api/jobs?LocationId={zip}")).await;
            assert_eq!(status, 200);
            let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
            total += json["TotalJobs"].as_u64().expect("TotalJobs");
        }
        assert_eq!(total, 1651);
        let (status, _) = get(&addr, "/api/jobs").await;
        assert_eq!(status, 400);
    });
}

#[test]
fn statuses_and_unknown_routes() {
    let (_origin, addr) = start(0.0);
    runtime().block_on(async {
        assert_eq!(get(&addr, "/status/503").await.0, 503);
        assert_eq!(get(&addr, "/status/204").await.0, 204);
        assert_eq!(get(&addr, "/no/such/thing").await.0, 404);
        assert_eq!(get(&addr, "/bytes/not-a-number").await.0, 400);
    });
}

#[test]
fn delays_are_honoured_and_scaled() {
    let (_origin, addr) = start(1.0);
    runtime().block_on(async {
        let start = Instant::now();
        get(&addr, "/bytes/10?delay=0.3").await;
        let plain = start.elapsed();
        assert!(plain >= Duration::from_millis(300), "{plain:?}");
        assert!(plain < Duration::from_secs(3), "{plain:?}");

        // yahoo.com took 1.85 s in the talk; at a tenth, about 0.18 s.
        let start = Instant::now();
        get(&addr, "/yahoo.com?scale=0.1").await;
        let scaled = start.elapsed();
        assert!(scaled >= Duration::from_millis(184), "{scaled:?}");
        assert!(scaled < Duration::from_millis(1500), "{scaled:?}");
    });
}

#[test]
fn a_thousand_connections_wait_at_once() {
    let (origin, addr) = start(1.0);
    let n = 1000;
    let start = Instant::now();
    let bodies = runtime().block_on(async {
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let addr = addr.clone();
                tokio::spawn(async move { get(&addr, "/bytes/100?delay=1").await })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            let (status, body) = task.await.expect("task");
            if status == 200 && body.len() == 100 {
                ok += 1;
            }
        }
        ok
    });
    let wall = start.elapsed();
    assert_eq!(bodies, n);
    // Served one after another this would take 1,000 s; at once, about one.
    assert!(wall < Duration::from_secs(15), "{wall:?}");
    assert!(
        origin.stats().peak_connections() >= n / 2,
        "peak {} connections",
        origin.stats().peak_connections()
    );
}

#[test]
fn stats_count_requests() {
    let (origin, addr) = start(0.0);
    runtime().block_on(async {
        get(&addr, "/apple.com").await;
        let (_, body) = get(&addr, "/stats").await;
        let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert!(json["requests"].as_u64() >= Some(2), "{json}");
    });
    assert!(origin.stats().requests() >= 2);
}

#[test]
fn redirects_point_where_they_say() {
    let (origin, addr) = start(0.0);
    let location = |head: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix("location: "))
            .map(str::to_string)
    };
    runtime().block_on(async {
        let (status, head, _) = get_with_head(&addr, "/redirect/3?scale=0.5").await;
        assert_eq!(status, 302);
        assert_eq!(location(&head).as_deref(), Some("/redirect/2?scale=0.5"));
        let (_, head, _) = get_with_head(&addr, "/redirect/1").await;
        assert_eq!(location(&head).as_deref(), Some("/apple.com"));
        let (_, head, _) = get_with_head(&addr, "/redirect-loop").await;
        assert_eq!(location(&head).as_deref(), Some("/redirect-loop"));
        let (_, head, _) = get_with_head(&addr, "/to-https/python.org").await;
        let https = origin.https_url("/python.org").expect("https");
        assert_eq!(location(&head), Some(https));
    });
}

#[test]
fn the_https_authority_is_written_for_clients() {
    let (origin, _) = start(0.0);
    let path = origin.ca_cert().expect("a CA file").to_path_buf();
    let pem = std::fs::read_to_string(&path).expect("readable");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    drop(origin);
    assert!(!path.exists(), "the CA file outlived its origin");
}

#[test]
fn the_files_folder_is_served_and_nothing_outside_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let origin = Origin::start(Config {
        files: Some(Box::leak(root.into_boxed_path())),
        ..Config::default()
    })
    .expect("start");
    let addr = origin.base_url().trim_start_matches("http://").to_string();
    runtime().block_on(async {
        let (status, head, body) = get_with_head(&addr, "/files/files.rs").await;
        assert_eq!(status, 200, "{head}");
        assert!(head.contains("application/octet-stream"), "{head}");
        assert_eq!(body, include_bytes!("../src/files.rs"));
        for outside in [
            "/files/../Cargo.toml",
            "/files/%2e%2e/Cargo.toml",
            "/files/nothing.rs",
        ] {
            assert_eq!(get(&addr, outside).await.0, 404, "{outside}");
        }
    });
    let (none, addr) = start(1.0);
    runtime().block_on(async {
        assert_eq!(get(&addr, "/files/lib.rs").await.0, 404);
    });
    drop(none);
}
