//! What the origin replays: the six home pages of the talk "Async Python" and the jobs API of the
//! talk "Asynchronicity". Both come from the files in `data/`, read at compile time, so the
//! numbers have one source.

use std::sync::OnceLock;
use std::time::Duration;

const SITES_TSV: &str = include_str!("../../../data/talk-sites.tsv");
const ZIPS_TXT: &str = include_str!("../../../data/usajobs-zips.txt");

/// The jobs total the talk measured over its 100 zip codes; the origin's counts add up to it.
pub const TALK_JOBS_TOTAL: u64 = 1651;

/// The talk's blocking run took 41.3 s for 100 requests: about 0.413 s a request.
const MEAN_JOBS_LATENCY_S: f64 = 0.413;

/// One of the talk's six sites as its synchronous run measured it.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// The URL the talk fetched, e.g. `http://google.com`.
    pub talk_url: &'static str,
    /// The host name, which is also the origin's route: `/google.com`.
    pub name: &'static str,
    /// The size of the home page in bytes.
    pub bytes: usize,
    /// The request time the talk measured.
    pub latency: Duration,
}

impl Site {
    /// The origin's path for this site.
    pub fn path(&self) -> String {
        format!("/{}", self.name)
    }
}

/// The six sites, in the talk's order.
pub fn sites() -> &'static [Site] {
    static SITES: OnceLock<Vec<Site>> = OnceLock::new();
    SITES.get_or_init(|| {
        data_lines(SITES_TSV)
            .map(|line| {
                let mut fields = line.split('\t');
                let (Some(url), Some(bytes), Some(seconds)) =
                    (fields.next(), fields.next(), fields.next())
                else {
                    panic!("data/talk-sites.tsv: malformed line {line:?}");
                };
                Site {
                    talk_url: url,
                    name: url.trim_start_matches("http://"),
                    bytes: bytes.parse().expect("data/talk-sites.tsv: bytes"),
                    latency: Duration::from_secs_f64(
                        seconds.parse().expect("data/talk-sites.tsv: seconds"),
                    ),
                }
            })
            .collect()
    })
}

/// Finds a site by its host name.
pub fn site(name: &str) -> Option<&'static Site> {
    sites().iter().find(|site| site.name == name)
}

/// The 100 zip codes of the talk, in its order.
pub fn zips() -> &'static [&'static str] {
    static ZIPS: OnceLock<Vec<&'static str>> = OnceLock::new();
    ZIPS.get_or_init(|| data_lines(ZIPS_TXT).collect())
}

/// What the jobs API answers for one zip code: its `TotalJobs` and how long it takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Jobs {
    pub total: u64,
    pub latency: Duration,
}

/// The jobs API's answer for `zip`. Deterministic: the talk's 100 zips add up to
/// [`TALK_JOBS_TOTAL`] and their latencies average 0.413 s; any other zip gets a count and a
/// latency derived from its hash.
pub fn jobs(zip: &str) -> Jobs {
    static TALK: OnceLock<Vec<Jobs>> = OnceLock::new();
    let talk = TALK.get_or_init(talk_jobs);
    match zips().iter().position(|z| *z == zip) {
        Some(i) => talk[i],
        None => {
            let h = fnv1a(zip.as_bytes());
            Jobs {
                total: h % 31,
                latency: Duration::from_secs_f64(raw_latency(h) * latency_factor()),
            }
        }
    }
}

/// The sum of `TotalJobs` over `zips`: what a correct client must report.
pub fn jobs_total<'a>(zips: impl IntoIterator<Item = &'a str>) -> u64 {
    zips.into_iter().map(|zip| jobs(zip).total).sum()
}

/// Spreads the talk's total over its zips in proportion to a per-zip weight, by largest
/// remainder so that the counts add up exactly.
fn talk_jobs() -> Vec<Jobs> {
    let hashes: Vec<u64> = zips().iter().map(|z| fnv1a(z.as_bytes())).collect();
    let weights: Vec<u64> = hashes.iter().map(|h| 1 + h % 31).collect();
    let sum: u64 = weights.iter().sum();
    let mut totals: Vec<u64> = weights.iter().map(|w| TALK_JOBS_TOTAL * w / sum).collect();
    let mut by_remainder: Vec<usize> = (0..weights.len()).collect();
    by_remainder.sort_by_key(|&i| std::cmp::Reverse((TALK_JOBS_TOTAL * weights[i]) % sum));
    let short = TALK_JOBS_TOTAL - totals.iter().sum::<u64>();
    for &i in by_remainder.iter().take(short as usize) {
        totals[i] += 1;
    }
    let factor = latency_factor();
    hashes
        .iter()
        .zip(totals)
        .map(|(&h, total)| Jobs {
            total,
            latency: Duration::from_secs_f64(raw_latency(h) * factor),
        })
        .collect()
}

/// A latency shape between 0.15 and 0.75 before scaling.
fn raw_latency(hash: u64) -> f64 {
    0.15 + ((hash >> 32) % 1000) as f64 / 1000.0 * 0.6
}

/// Scales the raw latencies so that the talk's zips average [`MEAN_JOBS_LATENCY_S`].
fn latency_factor() -> f64 {
    let zips = zips();
    let mean = zips
        .iter()
        .map(|z| raw_latency(fnv1a(z.as_bytes())))
        .sum::<f64>()
        / zips.len() as f64;
    MEAN_JOBS_LATENCY_S / mean
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_sites_with_the_talks_sizes() {
        let sizes: Vec<(&str, usize)> = sites().iter().map(|s| (s.name, s.bytes)).collect();
        assert_eq!(
            sizes,
            [
                ("google.com", 10920),
                ("yahoo.com", 392935),
                ("facebook.com", 43634),
                ("apple.com", 10011),
                ("python.org", 44275),
                ("stackoverflow.com", 211262),
            ]
        );
    }

    #[test]
    fn talk_zips_add_up_to_the_talks_total() {
        assert_eq!(zips().len(), 100);
        assert_eq!(jobs_total(zips().iter().copied()), TALK_JOBS_TOTAL);
    }

    #[test]
    fn talk_zip_latencies_average_the_blocking_run() {
        let mean = zips()
            .iter()
            .map(|z| jobs(z).latency.as_secs_f64())
            .sum::<f64>()
            / 100.0;
        assert!((mean - MEAN_JOBS_LATENCY_S).abs() < 1e-6, "mean {mean}");
    }

    #[test]
    fn counts_differ_between_zips() {
        let first = jobs(zips()[0]).total;
        assert!(zips().iter().any(|z| jobs(z).total != first));
    }
}
