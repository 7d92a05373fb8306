//! The one route, `GET /work?ms=&size=`, and `GET /stats`.

use std::sync::LazyLock;
use std::time::Duration;

use crate::stats;

/// The largest `size` a request may ask for.
pub const MAX_SIZE: usize = 1 << 20;

/// The longest `ms` a request may ask for.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/work`: wait `delay` (without using the CPU), then answer 200 with `body`.
    Work {
        delay: Duration,
        body: &'static [u8],
    },
    /// Answer at once: `/stats`, or an error (a 4xx, with a line saying why).
    Now { status: u16, body: Vec<u8> },
}

impl Route {
    /// The answer's status.
    pub fn status(&self) -> u16 {
        match self {
            Route::Work { .. } => 200,
            Route::Now { status, .. } => *status,
        }
    }

    /// The answer's body.
    pub fn body(&self) -> &[u8] {
        match self {
            Route::Work { body, .. } => body,
            Route::Now { body, .. } => body,
        }
    }
}

/// The bytes every `/work` answer is cut from.
static BODY: LazyLock<Box<[u8]>> = LazyLock::new(|| vec![b'x'; MAX_SIZE].into_boxed_slice());

/// Routes a request by its method and target (`/work?ms=50&size=1024`, or the absolute form
/// `http://host/work?...` that RFC 9112 says a server accepts), and counts it. HEAD is routed as
/// GET: its answer is the same head, without the body.
pub fn route(method: &str, target: &str) -> Route {
    let routed = route_request(method, origin_form(target));
    match &routed {
        Route::Now { status, .. } if *status >= 400 => stats().rejected(),
        _ => stats().request(),
    }
    routed
}

/// The path and query of a target: an absolute-form target (`http://host:port/work?ms=1`, as
/// a proxy sends it) loses its scheme and authority.
fn origin_form(target: &str) -> &str {
    let scheme = target.get(..8).unwrap_or(target).to_ascii_lowercase();
    let rest = if scheme.starts_with("http://") {
        &target[7..]
    } else if scheme.starts_with("https://") {
        &target[8..]
    } else {
        return target;
    };
    match rest.find(['/', '?']) {
        Some(i) => &rest[i..],
        None => "/",
    }
}

fn route_request(method: &str, target: &str) -> Route {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let method = if method == "HEAD" { "GET" } else { method };
    match (method, path) {
        ("GET", "/work") => match work(query) {
            Ok((delay, size)) => Route::Work {
                delay,
                body: &BODY[..size],
            },
            Err(why) => error(400, &why),
        },
        ("GET", "/stats") => Route::Now {
            status: 200,
            body: stats().to_json().into_bytes(),
        },
        (_, "/work" | "/stats") => error(405, "only GET and HEAD are served"),
        _ => error(404, "the one route is /work?ms=MS&size=BYTES"),
    }
}

/// Reads `ms` and `size` (50 and 1024 when absent).
fn work(query: &str) -> Result<(Duration, usize), String> {
    let (mut ms, mut size) = (50u64, 1024usize);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "ms" => {
                ms = value
                    .parse()
                    .ok()
                    .filter(|&ms| Duration::from_millis(ms) <= MAX_DELAY)
                    .ok_or_else(|| {
                        format!(
                            "ms must be a whole number from 0 to {}",
                            MAX_DELAY.as_millis()
                        )
                    })?;
            }
            "size" => {
                size = value
                    .parse()
                    .ok()
                    .filter(|&size| size <= MAX_SIZE)
                    .ok_or_else(|| format!("size must be a whole number from 0 to {MAX_SIZE}"))?;
            }
            _ => return Err("the parameters are ms and size".into()),
        }
    }
    Ok((Duration::from_millis(ms), size))
}

fn error(status: u16, why: &str) -> Route {
    Route::Now {
        status,
        body: format!("{why}\n").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_work_with_its_parameters_and_defaults() {
        let work = |target| match route("GET", target) {
            Route::Work { delay, body } => (delay.as_millis(), body.len()),
            other => panic!("{target}: {other:?}"),
        };
        assert_eq!(work("/work?ms=50&size=1024"), (50, 1024));
        assert_eq!(work("/work"), (50, 1024));
        assert_eq!(work("/work?size=0&ms=0"), (0, 0));
        assert_eq!(work("http://example.test:8080/work?ms=7&size=3"), (7, 3));
        assert_eq!(work("HTTP://example.test/work"), (50, 1024));
        assert_eq!(work(&format!("/work?size={MAX_SIZE}")), (50, MAX_SIZE));
    }

    #[test]
    fn refuses_bad_parameters_paths_and_methods() {
        let status = |method, target| match route(method, target) {
            Route::Now { status, .. } => status,
            Route::Work { .. } => 200,
        };
        assert_eq!(status("GET", "/work?ms=-1"), 400);
        assert_eq!(status("GET", "/work?ms=60001"), 400);
        assert_eq!(status("GET", "/work?size=1048577"), 400);
        assert_eq!(status("GET", "/work?size=1e3"), 400);
        assert_eq!(status("GET", "/work?colour=red"), 400);
        assert_eq!(status("GET", "/"), 404);
        assert_eq!(status("POST", "/work"), 405);
        assert_eq!(status("HEAD", "/work"), 200);
        assert_eq!(status("HEAD", "/nowhere"), 404);
        assert_eq!(status("GET", "/stats"), 200);
    }
}
