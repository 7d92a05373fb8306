//! What the run is doing, and how long it has left: a line for every measurement, and on a
//! terminal a bar whose estimate is the time the remaining runs are predicted to take, scaled by
//! how far the runs so far came from their predictions.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The progress of a whole run, over every part.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    /// Predicted seconds of every measurement of the run, and of those done.
    total: f64,
    done: f64,
}

impl Progress {
    /// A run whose measurements are predicted to take `total` in all.
    pub fn new(total: Duration) -> Progress {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress {
            bar,
            started: Instant::now(),
            total: total.as_secs_f64().max(1.0),
            done: 0.0,
        }
    }

    /// A measurement begins: `what` it is.
    pub fn start(&self, what: &str) {
        self.bar.set_message(format!("{what} · {}", self.left()));
    }

    /// A measurement predicted to take `predicted` has ended with `outcome`: one line.
    pub fn finish(&mut self, what: &str, predicted: Duration, outcome: &str) {
        self.done = (self.done + predicted.as_secs_f64()).min(self.total);
        self.bar
            .set_position((self.done / self.total * 1000.0).round() as u64);
        let line = format!(
            "[{} · {}] {what}: {outcome}",
            clock(self.started.elapsed()),
            self.left()
        );
        self.say(&line);
    }

    /// A line of its own, above the bar.
    pub fn say(&self, line: &str) {
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }

    /// The estimate of what is left: the predicted time of the remaining measurements, times
    /// how long the ones so far took against their predictions.
    fn left(&self) -> String {
        let elapsed = self.started.elapsed().as_secs_f64();
        let remaining = self.total - self.done;
        let pace = if self.done > 30.0 {
            (elapsed / self.done).clamp(0.5, 5.0)
        } else {
            1.2
        };
        format!(
            "about {} left",
            clock(Duration::from_secs_f64(remaining * pace))
        )
    }

    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

/// `1:02:03` or `2:03`.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_read_as_minutes_or_hours() {
        assert_eq!(clock(Duration::from_secs(63)), "1:03");
        assert_eq!(clock(Duration::from_secs(3723)), "1:02:03");
    }
}
