//! Every chart of the documents, drawn as SVG with plotters: the talk's bar chart of the six
//! sites, the jobs workload beside the talk's own figures, lines on log–log axes (the sweeps and
//! the servers), and timelines of when each request ran. Each row keeps its colour from the
//! catalogue in every chart.
//!
//! SVG only: its text is drawn by whatever displays it, where a PNG would need a font file on
//! this machine.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::format::group;
use crate::talk::TalkRow;

const FONT: &str = "sans-serif";

/// The talk's own figures, beside this machine's.
const TALK: RGBColor = RGBColor(205, 205, 205);

/// A row's colour: its program's, from the catalogue.
fn color(row: &str) -> RGBColor {
    let catalogue::Rgb(r, g, b) = catalogue::color(row);
    RGBColor(r, g, b)
}

fn short(row: &str) -> String {
    catalogue::short(row)
}

/// Draws the series' labels in a framed box at `position`.
fn legend<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> anyhow::Result<()>
where
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .position(position)
        .label_font((FONT, 15))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// A row's figure over repeated runs: the median, and the least and most.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    pub row: String,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// Wall time per model for the six sites, with the slowest site's latency as the floor.
pub fn sites(path: &Path, walls: &[Spread], floor_s: f64) -> anyhow::Result<()> {
    let bars: Vec<(&str, f64, f64, f64)> = walls
        .iter()
        .map(|w| (w.row.as_str(), w.median, w.min, w.max))
        .collect();
    let top = bars.iter().map(|b| b.3).fold(floor_s, f64::max) * 1.15;
    let root = SVGBackend::new(path, (900, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let n = bars.len();
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Six home pages: wall time per model (median, min–max)",
            (FONT, 22),
        )
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((0..n.max(1) - 1).into_segmented(), 0f64..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.max(1))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => bars.get(*i).map_or(String::new(), |b| short(b.0)),
            _ => String::new(),
        })
        .y_desc("wall time (s)")
        .label_style((FONT, 15))
        .draw()?;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        let mut bar = Rectangle::new(
            [
                (SegmentValue::Exact(i), 0.0),
                (SegmentValue::Exact(i + 1), b.1),
            ],
            color(b.0).filled(),
        );
        bar.set_margin(0, 0, 12, 12);
        bar
    }))?;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        PathElement::new(
            vec![
                (SegmentValue::CenterOf(i), b.2),
                (SegmentValue::CenterOf(i), b.3),
            ],
            BLACK.stroke_width(2),
        )
    }))?;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        Text::new(
            format!("{:.2} s", b.1),
            (SegmentValue::CenterOf(i), b.3 + top * 0.01),
            (FONT, 15)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Bottom)),
        )
    }))?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![
                (SegmentValue::Exact(0), floor_s),
                (SegmentValue::Exact(n), floor_s),
            ],
            RED.stroke_width(2),
        )))?
        .label(format!(
            "floor: the slowest site's latency ({floor_s:.2} s)"
        ))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}

/// One line of a chart on log–log axes: a row of a table (a model, a server, a setup), its
/// points, and whether it is drawn dashed (a server's setup with a loop per core).
#[derive(Debug, Clone)]
pub struct Line {
    pub row: String,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
}

/// What a chart on log–log axes says on its axes.
#[derive(Debug, Clone, Copy)]
pub struct Axes<'a> {
    pub title: &'a str,
    pub x: &'a str,
    pub y: &'a str,
}

/// A number on a log axis: whole and grouped from 10 (or when whole), with the decimals a small
/// one needs.
fn axis_number(v: f64) -> String {
    if v >= 10.0 || (v >= 1.0 && v.fract() == 0.0) {
        group(v.round() as u64)
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Lines on log–log axes, one per row in its colour, with an optional reference line (the
/// ideal) drawn thin and dashed in black.
pub fn log_log(
    path: &Path,
    axes: Axes<'_>,
    lines: &[Line],
    reference: Option<(&str, Vec<(f64, f64)>)>,
) -> anyhow::Result<()> {
    let all = || {
        let reference = reference.iter().flat_map(|(_, points)| points.iter());
        lines.iter().flat_map(|l| l.points.iter()).chain(reference)
    };
    let xs = all().map(|p| p.0).filter(|x| *x > 0.0);
    let (first, last) = xs.fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let (first, last) = if first <= last {
        (first, last)
    } else {
        (1.0, 10.0)
    };
    let ys = all().map(|p| p.1).filter(|y| *y > 0.0);
    let (low, high) = ys.fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let (low, high) = if low <= high {
        (low, high)
    } else {
        (0.1, 10.0)
    };
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(axes.title, (FONT, 22))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (first * 0.7..last * 1.5).log_scale(),
            (low / 1.5..high * 1.5).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc(axes.x)
        .y_desc(axes.y)
        .label_style((FONT, 15))
        .x_label_formatter(&|v| axis_number(*v))
        .y_label_formatter(&|v| axis_number(*v))
        .draw()?;
    if let Some((label, points)) = reference {
        chart
            .draw_series(DashedLineSeries::new(points, 6, 4, BLACK.stroke_width(1)))?
            .label(label)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1)));
    }
    for line in lines {
        let c = color(&line.row);
        let style = c.stroke_width(3);
        let points = line.points.iter().copied().filter(|p| p.1 > 0.0);
        if line.dashed {
            chart
                .draw_series(DashedLineSeries::new(points.clone(), 10, 5, style))?
                .label(short(&line.row))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            chart.draw_series(points.map(|p| Circle::new(p, 3, c.filled())))?;
        } else {
            chart
                .draw_series(LineSeries::new(points, style).point_size(4))?
                .label(short(&line.row))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        }
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present()?;
    Ok(())
}

/// A model's figures on the jobs workload (the medians of its runs).
#[derive(Debug, Clone, PartialEq)]
pub struct Jobs {
    pub row: String,
    pub wall_s: Option<f64>,
    pub cpu_s: Option<f64>,
    pub rss_bytes: Option<f64>,
}

/// The jobs workload: wall, CPU and peak RSS per model, beside the talk's three programs.
pub fn jobs(path: &Path, ours: &[Jobs], talk: &[TalkRow]) -> anyhow::Result<()> {
    let talk: Vec<&TalkRow> = talk.iter().filter(|r| r.talk == "asynchronicity").collect();
    let mib = |b: f64| b / f64::from(1 << 20);
    let panels: [(&str, Vec<Bar>); 3] = [
        (
            "wall time (s)",
            bars(ours, &talk, |j| j.wall_s, |r| Some(r.wall_s)),
        ),
        (
            "CPU, user + sys (s)",
            bars(ours, &talk, |j| j.cpu_s, TalkRow::cpu_s),
        ),
        (
            "peak RSS (MiB)",
            bars(
                ours,
                &talk,
                |j| j.rss_bytes.map(mib),
                |r| r.peak_mem_bytes.map(mib),
            ),
        ),
    ];
    let root = SVGBackend::new(path, (1200, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        "Jobs API over 100 zip codes: this machine's models (colour) beside the talk's (grey)",
        (FONT, 22),
    )?;
    for (area, (title, bars)) in root.split_evenly((1, 3)).iter().zip(panels) {
        horizontal_bars(area, title, &bars)?;
    }
    root.present()?;
    Ok(())
}

type Bar = (String, RGBColor, Option<f64>);

fn bars(
    ours: &[Jobs],
    talk: &[&TalkRow],
    value: impl Fn(&Jobs) -> Option<f64>,
    talk_value: impl Fn(&TalkRow) -> Option<f64>,
) -> Vec<Bar> {
    ours.iter()
        .map(|j| (short(&j.row), color(&j.row), value(j)))
        .chain(
            talk.iter()
                .map(|r| (format!("talk: {}", r.program), TALK, talk_value(r))),
        )
        .collect()
}

fn horizontal_bars(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    bars: &[Bar],
) -> anyhow::Result<()> {
    let n = bars.len();
    let top = bars
        .iter()
        .filter_map(|b| b.2)
        .fold(0.0, f64::max)
        .max(1e-3)
        * 1.3;
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 17))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(110)
        .build_cartesian_2d(0f64..top, (0..n.max(1) - 1).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n.max(1))
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => {
                bars.get(n - 1 - *i).map_or(String::new(), |b| b.0.clone())
            }
            _ => String::new(),
        })
        .label_style((FONT, 13))
        .x_labels(4)
        .draw()?;
    // The first bar at the top: bar i sits in segment n - 1 - i.
    let bars_top_down = || bars.iter().enumerate().map(|(i, b)| (n - 1 - i, b));
    chart.draw_series(bars_top_down().filter_map(|(i, b)| {
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(i)),
                (b.2?, SegmentValue::Exact(i + 1)),
            ],
            b.1.filled(),
        );
        bar.set_margin(5, 5, 0, 0);
        Some(bar)
    }))?;
    chart.draw_series(bars_top_down().filter_map(|(i, b)| {
        let v = b.2?;
        Some(Text::new(
            if v >= 10.0 {
                format!("{v:.1}")
            } else {
                format!("{v:.2}")
            },
            (v + top * 0.02, SegmentValue::CenterOf(i)),
            (FONT, 13)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
    }))?;
    Ok(())
}

/// One request of a run: when it started and how long it took, from the run's JSON.
#[derive(Debug, Clone)]
pub struct Span {
    pub start_s: f64,
    pub seconds: f64,
    pub ok: bool,
}

/// The requests of one run of a model, in its JSON's order, with the run's wall time.
pub fn spans(json: &serde_json::Value) -> (Vec<Span>, f64) {
    let rows = json["requests"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let bars = rows
        .iter()
        .map(|row| Span {
            start_s: row["start_s"].as_f64().unwrap_or(0.0),
            seconds: row["seconds"].as_f64().unwrap_or(0.0),
            ok: row["error"].is_null(),
        })
        .collect();
    (bars, json["wall_s"].as_f64().unwrap_or(0.0))
}

/// A timeline per model: a bar per request from its start to its end, in order of start, and
/// the run's wall time marked. A synchronous loop is a staircase; a model that lets every
/// request wait at once is bars that start together.
/// The most bars that overlap at one moment: the requests in flight together, at the peak.
pub fn most_at_once(bars: &[Span]) -> usize {
    let mut edges: Vec<(f64, i32)> = bars
        .iter()
        .flat_map(|b| [(b.start_s, 1), (b.start_s + b.seconds, -1)])
        .collect();
    // An end before a start at the same moment: a connection handed on is not two.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut most) = (0, 0);
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    most as usize
}

pub fn timelines(
    path: &Path,
    title: &str,
    runs: &[(String, Vec<Span>, f64)],
) -> anyhow::Result<()> {
    let end = runs
        .iter()
        .flat_map(|(_, bars, wall)| {
            bars.iter()
                .map(|b| b.start_s + b.seconds)
                .chain(std::iter::once(*wall))
        })
        .fold(0.0f64, f64::max)
        * 1.05;
    let rows_per_panel = runs
        .iter()
        .map(|(_, b, _)| b.len())
        .max()
        .unwrap_or(1)
        .max(1);
    // Many requests (the jobs workload's 100) are drawn thinner, so that every panel fits.
    let row_px = if rows_per_panel > 20 { 2 } else { 14 };
    let panel_px = (rows_per_panel * row_px + 60) as u32;
    let height = 60 + panel_px * runs.len().max(1) as u32;
    let root = SVGBackend::new(path, (900, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, (FONT, 22))?;
    let panels = root.split_evenly((runs.len().max(1), 1));
    for (panel, (model, bars, wall)) in panels.iter().zip(runs) {
        let mut bars = bars.clone();
        bars.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        let n = bars.len().max(1);
        let mut chart = ChartBuilder::on(panel)
            .margin_top(20)
            .margin_left(20)
            .margin_right(20)
            .x_label_area_size(22)
            .y_label_area_size(10)
            .build_cartesian_2d(0f64..end.max(1e-3), 0f64..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(10)
            .x_label_formatter(&|v| format!("{v:.1} s"))
            .label_style((FONT, 12))
            .draw()?;
        let c = color(model);
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let y = (n - 1 - i) as f64;
            let style = if b.ok {
                c.filled()
            } else {
                RED.mix(0.5).filled()
            };
            Rectangle::new(
                [(b.start_s, y + 0.15), (b.start_s + b.seconds, y + 0.85)],
                style,
            )
        }))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(*wall, 0.0), (*wall, n as f64)],
            BLACK.stroke_width(2),
        )))?;
        let sum: f64 = bars.iter().map(|b| b.seconds).sum();
        panel.draw(&Text::new(
            format!(
                "{}: wall {wall:.2} s, sum {sum:.2} s, at most {} at once",
                short(model),
                most_at_once(&bars)
            ),
            (8, 4),
            (FONT, 14).into_font(),
        ))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start_s: f64, seconds: f64) -> Span {
        Span {
            start_s,
            seconds,
            ok: true,
        }
    }

    #[test]
    fn at_once_counts_the_overlap_and_a_connection_handed_on_once() {
        assert_eq!(most_at_once(&[]), 0);
        assert_eq!(most_at_once(&[span(0.0, 1.0), span(0.5, 1.0)]), 2);
        // Six at a time, each next one starting as one ends: six, not seven.
        let waves: Vec<Span> = (0..18).map(|i| span(f64::from(i / 6), 1.0)).collect();
        assert_eq!(most_at_once(&waves), 6);
    }
}
