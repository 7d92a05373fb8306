//! The talks' own figures, from `data/talk-results.tsv`: what each program of the talks
//! measured, on the speaker's machine, over the internet of the day.

use std::fmt::Write as _;

use crate::format::{group, or_dash};

const TALK_RESULTS: &str = include_str!("../../../data/talk-results.tsv");

/// One program of the talks as the talk measured it.
#[derive(Debug, Clone)]
pub struct TalkRow {
    /// `async-python` or `asynchronicity`.
    pub talk: String,
    /// The program's file name: `async.py`.
    pub program: String,
    /// What it used, in words.
    pub model: String,
    pub wall_s: f64,
    /// The program's own sum of request times, where it printed one.
    pub sum_s: Option<f64>,
    /// `ru_maxrss` as the talk printed it (bytes: the talk ran on macOS).
    pub peak_mem_bytes: Option<f64>,
    pub user_s: Option<f64>,
    pub sys_s: Option<f64>,
    pub note: String,
}

impl TalkRow {
    /// User and system CPU together, where the talk printed both.
    pub fn cpu_s(&self) -> Option<f64> {
        self.user_s.zip(self.sys_s).map(|(u, s)| u + s)
    }
}

/// Every program of both talks, in the file's order.
pub fn rows() -> Vec<TalkRow> {
    TALK_RESULTS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let num = |i: usize| f.get(i).and_then(|v| v.trim().parse::<f64>().ok());
            Some(TalkRow {
                talk: f.first()?.to_string(),
                program: f.get(1)?.to_string(),
                model: f.get(2)?.to_string(),
                wall_s: num(3)?,
                sum_s: num(4),
                peak_mem_bytes: num(5),
                user_s: num(6),
                sys_s: num(7),
                note: f.get(8).map_or(String::new(), |n| n.trim().to_string()),
            })
        })
        .collect()
}

/// The program named `program` (`async.py`).
pub fn program(program: &str) -> Option<TalkRow> {
    rows().into_iter().find(|r| r.program == program)
}

/// The programs of one talk.
pub fn of_talk(talk: &str) -> Vec<TalkRow> {
    rows().into_iter().filter(|r| r.talk == talk).collect()
}

/// The talk's figures for some of its programs, as a table: the book shows one program's in its
/// chapter, a run's report each talk's.
pub fn table(rows: &[TalkRow]) -> String {
    let mut t = String::from(
        "| the talk's program | what it used | wall | sum of request times | CPU (user + sys) | \
         peak memory |\n|---|---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let seconds = |s: Option<f64>| or_dash(s.map(|s| format!("{s:.3} s")));
        let cpu = r.user_s.zip(r.sys_s);
        let _ = writeln!(
            t,
            "| `{}` | {} | {} | {} | {} | {} |",
            r.program,
            r.model,
            seconds(Some(r.wall_s)),
            seconds(r.sum_s),
            or_dash(cpu.map(|(user, sys)| format!("{user:.2} s + {sys:.2} s"))),
            or_dash(
                r.peak_mem_bytes
                    .map(|b| format!("{} bytes", group(b as u64)))
            ),
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_talks_are_read() {
        assert_eq!(of_talk("async-python").len(), 6);
        assert_eq!(of_talk("asynchronicity").len(), 3);
        let asyncio = program("async.py").expect("the asyncio program");
        assert!(asyncio.wall_s > 0.0 && asyncio.peak_mem_bytes.is_some());
    }
}
