//! What a run fetches: the endpoints, built from the command line, and what each should answer.

use std::fmt;
use std::time::Duration;

use fetchkit::{Body, Keep};

use crate::cli::{Args, Workload};

/// One URL to fetch, with what a correct answer is when the origin is known.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    url: String,
    label: String,
    expect: Expect,
    keep: Keep,
}

/// What to keep of each body: a page's length only, a jobs answer whole (up to `--max-body`).
fn keep_for(args: &Args) -> Keep {
    match args.workload {
        Workload::Pages => Keep::Length,
        Workload::Jobs => Keep::Whole {
            limit: args.max_body,
        },
    }
}

/// What a correct answer from an endpoint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A body of exactly this many bytes.
    Bytes(u64),
    /// A jobs answer with this `TotalJobs`.
    Jobs(u64),
    /// Someone else's server: any answer is taken as it is.
    Anything,
}

impl Endpoint {
    /// The URL to fetch.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How the report names it: the path for the origin's endpoints, the URL for others.
    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn expect(&self) -> Expect {
        self.expect
    }

    /// What to keep of the body.
    pub fn keep(&self) -> Keep {
        self.keep
    }

    /// An empty body for this endpoint's answer, keeping what [`keep`](Endpoint::keep) says.
    pub fn body(&self) -> Body {
        Body::new(self.keep)
    }
}

/// Where the endpoints come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The origin started inside this process.
    Embedded(String),
    /// An origin already running, given by `--origin`.
    External(String),
    /// The user's own URLs.
    Urls,
}

/// The endpoints of a run and what they are.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub endpoints: Vec<Endpoint>,
    /// A short description for the report's header, e.g. "the talk's six sites".
    pub what: String,
    /// The sum of the delays the origin simulates for these endpoints (at the time scale), when
    /// known: the least time a sequential model can take.
    pub simulated_delays: Option<Duration>,
    /// The longest of those delays: the least time any model can take.
    pub slowest_delay: Option<Duration>,
}

/// A problem with the command line or an endpoints file: reported with exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A line of an endpoints file that is not a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// Parses an endpoints file: one URL a line; blank lines and lines starting with `#` (after
/// leading white space) are skipped. Every other line must be an absolute http or https URL.
pub fn parse_endpoints(text: &[u8]) -> Result<Vec<String>, LineError> {
    let mut urls = Vec::new();
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let line = i + 1;
        let Ok(text) = std::str::from_utf8(raw) else {
            return Err(LineError {
                line,
                message: "not UTF-8 text".into(),
            });
        };
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let url = check_url(text).map_err(|message| LineError { line, message })?;
        urls.push(url);
    }
    Ok(urls)
}

/// Checks that `text` is an absolute http(s) URL with a host and returns it normalised.
pub fn check_url(text: &str) -> Result<String, String> {
    Ok(parse_url(text)?.to_string())
}

fn parse_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|e| format!("{} is not a URL: {e}", quoted(text)))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{} is not an http or https URL", quoted(text)));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{} has no host", quoted(text)));
    }
    Ok(url)
}

/// The base URL of an origin given with `--origin`, without its trailing slash: the endpoints'
/// paths are appended to it, so it may not have a query or a fragment.
pub(crate) fn check_origin(text: &str) -> Result<String, String> {
    let url = parse_url(text)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{} has a query or a fragment: --origin takes the origin's base URL, such as \
             http://127.0.0.1:8080",
            quoted(text)
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// `text` in quotes for a message, cut short when it is long: a bad line of a file can be
/// megabytes.
fn quoted(text: &str) -> String {
    const SHOWN: usize = 80;
    match text.char_indices().nth(SHOWN) {
        None => format!("{text:?}"),
        Some((cut, _)) => format!("{:?}... ({} bytes)", &text[..cut], text.len()),
    }
}

impl Endpoints {
    /// The user's own URLs, from the command line or an endpoints file.
    pub fn from_urls(urls: Vec<String>, args: &Args) -> Endpoints {
        let keep = keep_for(args);
        let what = match urls.len() {
            1 => "1 URL".to_string(),
            n => format!("{n} URLs"),
        };
        Endpoints {
            endpoints: urls
                .into_iter()
                .map(|url| Endpoint {
                    label: url.clone(),
                    url,
                    expect: Expect::Anything,
                    keep,
                })
                .collect(),
            what,
            simulated_delays: None,
            slowest_delay: None,
        }
    }

    /// The talk's six real sites, fetched over the internet, labelled as the talk printed them.
    pub fn live(args: &Args) -> Endpoints {
        let urls = origin::sites()
            .iter()
            .map(|site| site.talk_url.to_string())
            .collect();
        Endpoints {
            what: "the talk's six sites, live over the internet".into(),
            ..Endpoints::from_urls(urls, args)
        }
    }

    /// The origin's endpoints at `base` for the workload and counts the arguments ask for.
    pub fn for_origin(base: &str, args: &Args) -> Endpoints {
        let base = base.trim_end_matches('/');
        let scale = args.time_scale;
        let keep = keep_for(args);
        let mut delays = Duration::ZERO;
        let mut slowest = Duration::ZERO;
        let mut endpoints = Vec::new();
        let mut add = |path: String, expect: Expect, delay: Duration| {
            delays += delay.mul_f64(scale);
            slowest = slowest.max(delay.mul_f64(scale));
            let path = with_scale(path, scale);
            endpoints.push(Endpoint {
                url: format!("{base}{path}"),
                label: path,
                expect,
                keep,
            });
        };
        let what = match args.workload {
            Workload::Jobs => {
                let zips = origin::zips();
                let n = args.count.map_or(zips.len(), |n| n as usize);
                for zip in zips.iter().cycle().take(n) {
                    let jobs = origin::jobs(zip);
                    add(
                        format!("/api/jobs?LocationId={zip}"),
                        Expect::Jobs(jobs.total),
                        jobs.latency,
                    );
                }
                if args.count.is_none() {
                    "the jobs API over the talk's 100 zip codes".to_string()
                } else {
                    format!("{n} jobs requests cycling the talk's zip codes")
                }
            }
            Workload::Pages => {
                let sites = origin::sites();
                let n = args.count.map_or(sites.len(), |n| n as usize);
                let synthetic = args.size.is_some() || args.delay.is_some();
                for site in sites.iter().cycle().take(n) {
                    if synthetic {
                        let size = args.size.unwrap_or(site.bytes);
                        let delay = args.delay.unwrap_or(site.latency);
                        add(
                            format!("/bytes/{size}?delay={}", delay.as_secs_f64()),
                            Expect::Bytes(size as u64),
                            delay,
                        );
                    } else {
                        add(site.path(), Expect::Bytes(site.bytes as u64), site.latency);
                    }
                }
                match (args.count, synthetic) {
                    (None, _) => "the talk's six sites".to_string(),
                    (Some(_), false) => format!("{n} pages cycling the talk's six sites"),
                    (Some(_), true) => format!("{n} synthetic endpoints"),
                }
            }
        };
        Endpoints {
            endpoints,
            what,
            simulated_delays: Some(delays),
            slowest_delay: Some(slowest),
        }
    }
}

/// Adds `scale=F` to an origin path when the time scale is not 1, so that an origin started on
/// its own applies the client's `--time-scale` too.
fn with_scale(path: String, scale: f64) -> String {
    if scale == 1.0 {
        path
    } else {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}scale={scale}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(extra: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("fetch").chain(extra.iter().copied())).unwrap()
    }

    #[test]
    fn endpoints_files_skip_comments_and_blank_lines() {
        let text =
            b"# the talk's sites\n\nhttp://google.com\n   # indented comment\nhttps://yahoo.com/\n";
        assert_eq!(
            parse_endpoints(text).unwrap(),
            ["http://google.com/", "https://yahoo.com/"]
        );
    }

    #[test]
    fn a_bad_line_is_named_by_its_number() {
        let err = parse_endpoints(b"http://ok.test/\n\nnot a url\n").unwrap_err();
        assert_eq!(err.line, 3);
        let err = parse_endpoints(b"ftp://files.test/x\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("not an http"), "{}", err.message);
        let err = parse_endpoints(b"http://ok.test/\n\xff\xfe\n").unwrap_err();
        assert_eq!((err.line, err.message.as_str()), (2, "not UTF-8 text"));
    }

    #[test]
    fn the_default_plan_is_the_six_sites() {
        let plan = Endpoints::for_origin("http://127.0.0.1:9", &args(&[]));
        let labels: Vec<&str> = plan.endpoints.iter().map(Endpoint::label).collect();
        assert_eq!(
            labels,
            [
                "/google.com",
                "/yahoo.com",
                "/facebook.com",
                "/apple.com",
                "/python.org",
                "/stackoverflow.com"
            ]
        );
        assert_eq!(plan.endpoints[1].expect(), Expect::Bytes(392_935));
        let sum = plan.simulated_delays.unwrap().as_secs_f64();
        assert!((sum - 4.6486).abs() < 0.001, "{sum}");
    }

    #[test]
    fn the_jobs_plan_expects_the_talks_total() {
        let plan = Endpoints::for_origin("http://127.0.0.1:9/", &args(&["--workload", "jobs"]));
        assert_eq!(plan.endpoints.len(), 100);
        let total: u64 = plan
            .endpoints
            .iter()
            .map(|e| match e.expect() {
                Expect::Jobs(n) => n,
                other => panic!("{other:?}"),
            })
            .sum();
        assert_eq!(total, 1651);
        assert_eq!(
            plan.endpoints[0].url(),
            "http://127.0.0.1:9/api/jobs?LocationId=79936"
        );
    }

    #[test]
    fn synthetic_endpoints_carry_size_delay_and_scale() {
        let plan = Endpoints::for_origin(
            "http://o",
            &args(&[
                "--count",
                "3",
                "--size",
                "1024",
                "--delay",
                "1",
                "--time-scale",
                "0.5",
            ]),
        );
        assert_eq!(plan.endpoints.len(), 3);
        assert_eq!(
            plan.endpoints[2].url(),
            "http://o/bytes/1024?delay=1&scale=0.5"
        );
        assert_eq!(plan.simulated_delays, Some(Duration::from_millis(1500)));
    }

    #[test]
    fn an_origin_is_a_base_url() {
        assert_eq!(
            check_origin("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in [
            "http://127.0.0.1:8080/?x=1",
            "http://127.0.0.1:8080/#top",
            "ftp://a.test",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_long_bad_line_is_quoted_in_part() {
        let line = "x".repeat(10_000_000);
        let message = check_url(&line).unwrap_err();
        assert!(message.len() < 300, "{} bytes", message.len());
        assert!(message.contains("10000000 bytes"), "{message}");
        assert!(check_url("é".repeat(100).as_str()).is_err());
    }
}
