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
    // Room above the tallest bar for the legend, so that it covers none.
    let top = bars.iter().map(|b| b.3).fold(floor_s, f64::max) * 1.35;
    let root = SVGBackend::new(path, (900, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let n = bars.len();
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Six home pages: wall time per model (median, min–max)",
            (FONT, 22),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d((0..n.max(1) - 1).into_segmented(), 0f64..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.max(1))
        .x_label_formatter(&|_| String::new())
        .y_desc("wall time (s)")
        .label_style((FONT, 15))
        .draw()?;
    // The rows' names under their bars, every other one a row lower, so that long names do
    // not run into each other.
    let (ox, oy) = root.get_base_pixel();
    for (i, b) in bars.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(SegmentValue::CenterOf(i), 0.0));
        root.draw(&Text::new(
            short(b.0),
            (x - ox, y - oy + 6 + 18 * (i as i32 % 2)),
            (FONT, 14)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
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
            format!("{:.2}", b.1),
            (SegmentValue::CenterOf(i), b.3 + top * 0.01),
            (FONT, 13)
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
        .label(format!("the slowest site's latency ({floor_s:.2} s)"))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}

/// One line of a chart on log–log axes: a row of a table (a model, a server, a setup), its
/// points, whether it is drawn dashed (a server's setup with a loop per core, a reference
/// row), and which of its points missed what they were asked (a rate a server did not hold).
#[derive(Debug, Clone, Default)]
pub struct Line {
    pub row: String,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
    /// The points (among `points`) drawn with a cross: asked for and not reached.
    pub missed: Vec<(f64, f64)>,
}

/// What a chart on log–log axes says on its axes.
#[derive(Debug, Clone, Copy)]
pub struct Axes<'a> {
    pub title: &'a str,
    pub x: &'a str,
    pub y: &'a str,
}

/// A chart on log–log axes: its axes, its lines, and what is drawn beside them.
#[derive(Debug, Clone)]
pub struct Plot<'a> {
    pub axes: Axes<'a>,
    pub lines: &'a [Line],
    /// A reference line, thin, dashed and black: the ideal.
    pub reference: Option<(&'a str, Vec<(f64, f64)>)>,
    /// A value no figure can pass, drawn across: a load generator's timeout, whose figures at
    /// it are a cap, not a measurement.
    pub cap: Option<(&'a str, f64)>,
    /// What the crosses on missed points mean, where there are any.
    pub missed: &'a str,
}

impl<'a> Plot<'a> {
    /// The lines on their axes, with nothing beside them.
    pub fn new(axes: Axes<'a>, lines: &'a [Line]) -> Plot<'a> {
        Plot {
            axes,
            lines,
            reference: None,
            cap: None,
            missed: "",
        }
    }

    /// With a reference line: the ideal.
    pub fn reference(mut self, label: &'a str, points: Vec<(f64, f64)>) -> Plot<'a> {
        self.reference = Some((label, points));
        self
    }

    /// With a cap drawn across at `y`.
    pub fn cap(mut self, label: &'a str, y: f64) -> Plot<'a> {
        self.cap = Some((label, y));
        self
    }

    /// With what a cross on a missed point means.
    pub fn missed(mut self, meaning: &'a str) -> Plot<'a> {
        self.missed = meaning;
        self
    }
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

/// The ticks of a log axis from `low` to `high`: 1, 2 and 5 in each decade, or only the
/// decades where they would be too many.
fn log_ticks(low: f64, high: f64) -> Vec<f64> {
    let decades = (high / low).log10();
    let steps: &[f64] = if decades > 4.5 {
        &[1.0]
    } else {
        &[1.0, 2.0, 5.0]
    };
    let mut ticks = Vec::new();
    let mut decade = 10f64.powf(low.log10().floor());
    while decade <= high {
        for step in steps {
            let v = decade * step;
            if v >= low && v <= high {
                ticks.push(v);
            }
        }
        decade *= 10.0;
    }
    ticks
}

/// The shape each line's points are drawn with, by its place among the lines, so that two
/// lines of one colour and one dash still differ.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Circle,
    Triangle,
    Square,
    Diamond,
}

impl Mark {
    const ALL: [Mark; 4] = [Mark::Circle, Mark::Triangle, Mark::Square, Mark::Diamond];

    fn of(i: usize) -> Mark {
        Mark::ALL[i % Mark::ALL.len()]
    }

    /// Draws the mark at a point of the backend, in pixels.
    fn draw(
        self,
        area: &DrawingArea<SVGBackend<'_>, Shift>,
        (x, y): (i32, i32),
        style: ShapeStyle,
    ) -> anyhow::Result<()> {
        let r = 5;
        match self {
            Mark::Circle => area.draw(&Circle::new((x, y), r, style))?,
            Mark::Triangle => area.draw(&Polygon::new(
                vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)],
                style,
            ))?,
            Mark::Square => area.draw(&Rectangle::new(
                [(x - r + 1, y - r + 1), (x + r - 1, y + r - 1)],
                style,
            ))?,
            Mark::Diamond => area.draw(&Polygon::new(
                vec![
                    (x, y - r - 1),
                    (x + r + 1, y),
                    (x, y + r + 1),
                    (x - r - 1, y),
                ],
                style,
            ))?,
        }
        Ok(())
    }
}

/// The width the legend takes, right of the plot.
const LEGEND_PX: u32 = 250;

/// A line drawn dashed between two points of the backend, in pixels.
fn dashes(from: (i32, i32), to: (i32, i32), on: i32, off: i32) -> Vec<Vec<(i32, i32)>> {
    let (dx, dy) = ((to.0 - from.0) as f64, (to.1 - from.1) as f64);
    let length = (dx * dx + dy * dy).sqrt();
    let mut out = Vec::new();
    let mut at = 0.0;
    while at < length {
        let end = (at + f64::from(on)).min(length);
        let point = |t: f64| {
            (
                from.0 + (dx * t / length).round() as i32,
                from.1 + (dy * t / length).round() as i32,
            )
        };
        out.push(vec![point(at), point(end)]);
        at = end + f64::from(off);
    }
    out
}

/// Lines on log–log axes, one per row in its colour and with a mark of its own, a reference
/// line (the ideal) thin and dashed in black, and a cap drawn across. The legend stands right
/// of the plot, each swatch drawn as its line is (dashed for dashed, with its mark); a line
/// with no point is left out of both. Each axis is labelled at 1, 2 and 5 of every decade, and
/// the x axis at every x of the data too, so that no point stands where no label says where.
pub fn log_log(path: &Path, plot: &Plot<'_>) -> anyhow::Result<()> {
    let lines: Vec<(usize, &Line)> = plot
        .lines
        .iter()
        .filter(|l| l.points.iter().any(|p| p.0 > 0.0 && p.1 > 0.0))
        .enumerate()
        .collect();
    let all = || {
        let reference = plot.reference.iter().flat_map(|(_, points)| points.iter());
        lines
            .iter()
            .flat_map(|(_, l)| l.points.iter())
            .chain(reference)
    };
    let xs = all().map(|p| p.0).filter(|x| *x > 0.0);
    let (first, last) = xs.fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let (first, last) = if first <= last {
        (first, last)
    } else {
        (1.0, 10.0)
    };
    let ys = all()
        .map(|p| p.1)
        .chain(plot.cap.map(|(_, y)| y))
        .filter(|y| *y > 0.0);
    let (low, high) = ys.fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let (low, high) = if low <= high {
        (low, high)
    } else {
        (0.1, 10.0)
    };
    let (x_range, y_range) = ((first / 1.4, last * 1.4), (low / 1.5, high * 1.5));
    let (width, height) = (1000, 560);
    let root = SVGBackend::new(path, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(plot.axes.title, (FONT, 20))?;
    let (area, side) = root.split_horizontally(width - LEGEND_PX);
    let mut chart = ChartBuilder::on(&area)
        .margin(15)
        .x_label_area_size(55)
        .y_label_area_size(75)
        .build_cartesian_2d(
            (x_range.0..x_range.1).log_scale(),
            (y_range.0..y_range.1).log_scale(),
        )?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|_| String::new())
        .x_desc(plot.axes.x)
        .y_desc(plot.axes.y)
        .axis_desc_style((FONT, 15))
        .draw()?;
    // The chart's coordinates are the backend's; the area's start below the title.
    let (ox, oy) = area.get_base_pixel();
    let (from, to) = (
        chart.backend_coord(&(x_range.0, y_range.0)),
        chart.backend_coord(&(x_range.1, y_range.1)),
    );
    let pixel = move |p: &(f64, f64)| {
        let share = |v: f64, (lo, hi): (f64, f64)| (v / lo).ln() / (hi / lo).ln();
        let along = |a: i32, b: i32, t: f64| a + (f64::from(b - a) * t).round() as i32;
        (
            along(from.0, to.0, share(p.0, x_range)) - ox,
            along(from.1, to.1, share(p.1, y_range)) - oy,
        )
    };
    let grid = RGBColor(225, 225, 225);
    let label = (FONT, 14).into_font().color(&BLACK);
    // The y axis: a light line across at each tick, its label left of the axis.
    for y in log_ticks(y_range.0, y_range.1) {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x_range.0, y), (x_range.1, y)],
            grid.stroke_width(1),
        )))?;
        let (px, py) = pixel(&(x_range.0, y));
        area.draw(&Text::new(
            axis_number(y),
            (px - 8, py),
            label.clone().pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    // The x axis: every x of the data, then the decades' ticks where they do not crowd it.
    let mut xs: Vec<f64> = lines
        .iter()
        .flat_map(|(_, l)| l.points.iter().map(|p| p.0))
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let xs: Vec<f64> = xs.into_iter().filter(|x| *x > 0.0).collect();
    // Every x of the data gets its label, a row lower where it would touch its neighbour's;
    // a decade's tick only where it touches none.
    let mut labelled: Vec<(i32, i32)> = Vec::new();
    let data = xs.iter().map(|&x| (x, true));
    let decades = log_ticks(x_range.0, x_range.1)
        .into_iter()
        .map(|x| (x, false));
    for (x, of_data) in data.chain(decades) {
        let (px, py) = pixel(&(x, y_range.0));
        let near = |row: i32| {
            labelled
                .iter()
                .any(|&(at, r)| r == row && (at - px).abs() < 46)
        };
        let row = if !near(0) {
            0
        } else if of_data && !near(1) {
            1
        } else {
            continue;
        };
        if !of_data && labelled.iter().any(|&(at, _)| (at - px).abs() < 46) {
            continue;
        }
        labelled.push((px, row));
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, y_range.0), (x, y_range.1)],
            grid.stroke_width(1),
        )))?;
        area.draw(&Text::new(
            axis_number(x),
            (px, py + 8 + 17 * row),
            label.clone().pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    if let Some((_, points)) = &plot.reference {
        chart.draw_series(DashedLineSeries::new(
            points.iter().copied(),
            6,
            4,
            BLACK.stroke_width(1),
        ))?;
    }
    let cap_color = RGBColor(120, 0, 0);
    if let Some((_, y)) = plot.cap {
        chart.draw_series(DashedLineSeries::new(
            [(x_range.0, y), (x_range.1, y)],
            3,
            3,
            cap_color.stroke_width(2),
        ))?;
    }
    for &(i, line) in &lines {
        let c = color(&line.row);
        let style = c.stroke_width(3);
        let points: Vec<(f64, f64)> = line.points.iter().copied().filter(|p| p.1 > 0.0).collect();
        if line.dashed {
            chart.draw_series(DashedLineSeries::new(points.clone(), 10, 5, style))?;
        } else {
            chart.draw_series(LineSeries::new(points.clone(), style))?;
        }
        let mark = Mark::of(i);
        for p in &points {
            let at = pixel(p);
            mark.draw(&area, at, WHITE.filled())?;
            mark.draw(&area, at, c.stroke_width(2))?;
        }
        for p in line.missed.iter().filter(|p| p.1 > 0.0) {
            let (x, y) = pixel(p);
            area.draw(&Cross::new((x, y), 7, BLACK.stroke_width(2)))?;
        }
    }
    // The legend, right of the plot: each swatch as its line is drawn.
    let entry = |n: usize| 40 + 22 * n as i32;
    let text = (FONT, 14)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let mut n = 0;
    let swatch = |from: (i32, i32), dashed: bool, style: ShapeStyle| -> anyhow::Result<()> {
        let to = (from.0 + 36, from.1);
        if dashed {
            for dash in dashes(from, to, 8, 4) {
                side.draw(&PathElement::new(dash, style))?;
            }
        } else {
            side.draw(&PathElement::new(vec![from, to], style))?;
        }
        Ok(())
    };
    if let Some((name, _)) = &plot.reference {
        swatch((10, entry(n)), true, BLACK.stroke_width(1))?;
        side.draw(&Text::new(name.to_string(), (54, entry(n)), text.clone()))?;
        n += 1;
    }
    if let Some((name, _)) = plot.cap {
        swatch((10, entry(n)), true, cap_color.stroke_width(2))?;
        // A wrapped label takes the rows it needs.
        for part in wrapped(name, 26) {
            side.draw(&Text::new(part, (54, entry(n)), text.clone()))?;
            n += 1;
        }
    }
    for &(i, line) in &lines {
        let c = color(&line.row);
        swatch((10, entry(n)), line.dashed, c.stroke_width(3))?;
        let mark = Mark::of(i);
        mark.draw(&side, (28, entry(n)), WHITE.filled())?;
        mark.draw(&side, (28, entry(n)), c.stroke_width(2))?;
        side.draw(&Text::new(short(&line.row), (54, entry(n)), text.clone()))?;
        n += 1;
    }
    if lines.iter().any(|(_, l)| !l.missed.is_empty()) {
        side.draw(&Cross::new((28, entry(n)), 7, BLACK.stroke_width(2)))?;
        for part in wrapped(plot.missed, 26) {
            side.draw(&Text::new(part, (54, entry(n)), text.clone()))?;
            n += 1;
        }
    }
    root.present()?;
    Ok(())
}

/// A label cut into lines of at most `width` characters, at spaces.
fn wrapped(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
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

/// One request of a run: when it started, how long it took and what it asked for, from
/// `requests.csv`.
#[derive(Debug, Clone)]
pub struct Span {
    pub start_s: f64,
    pub seconds: f64,
    pub ok: bool,
    /// What it asked for (`/google.com`); empty where the run did not record it.
    pub endpoint: String,
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
    // Many requests (the jobs workload's 100) are drawn thinner, so that every panel fits;
    // a few are named by what they asked for, where the run recorded it.
    let row_px = if rows_per_panel > 20 { 2 } else { 14 };
    let named = rows_per_panel <= 20
        && runs
            .iter()
            .any(|(_, bars, _)| bars.iter().any(|b| !b.endpoint.is_empty()));
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
            .y_label_area_size(if named { 140 } else { 10 })
            .build_cartesian_2d(0f64..end.max(1e-3), 0f64..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(10)
            .x_label_formatter(&|v| {
                // A run of a fraction of a second (a quick run's) reads in milliseconds.
                if end < 2.0 {
                    format!("{:.0} ms", v * 1000.0)
                } else {
                    format!("{v:.1} s")
                }
            })
            .label_style((FONT, 12))
            .draw()?;
        if named {
            let (ox, oy) = panel.get_base_pixel();
            for (i, b) in bars.iter().enumerate() {
                let (x, y) = chart.backend_coord(&(0.0, (n - 1 - i) as f64 + 0.5));
                // The path alone: a quick run's `?scale=` is no part of the name.
                let name = b
                    .endpoint
                    .split('?')
                    .next()
                    .filter(|p| !p.is_empty())
                    .unwrap_or("?");
                panel.draw(&Text::new(
                    name.to_string(),
                    (x - ox - 6, y - oy),
                    (FONT, 12)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Right, VPos::Center)),
                ))?;
            }
        }
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
            endpoint: String::new(),
        }
    }

    #[test]
    fn a_log_axis_is_ticked_at_one_two_and_five() {
        assert_eq!(log_ticks(0.7, 60.0), [1.0, 2.0, 5.0, 10.0, 20.0, 50.0]);
        // Past four and a half decades, only the decades.
        assert_eq!(log_ticks(1.0, 1e6).len(), 7);
    }

    #[test]
    fn the_legend_names_only_lines_with_data_and_every_x_of_the_data_is_labelled() {
        let dir = std::env::temp_dir().join(format!("charts-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("lines.svg");
        let lines = [
            Line {
                row: "fetch-tokio".into(),
                points: vec![(1.0, 1.0), (2_000.0, 1.1), (19_000.0, 7.0)],
                ..Line::default()
            },
            Line {
                row: "fetch-smol".into(),
                points: vec![(1.0, 1.0)],
                dashed: true,
                missed: vec![(1.0, 1.0)],
            },
            Line {
                row: "async.py".into(),
                ..Line::default()
            },
        ];
        let axes = Axes {
            title: "t",
            x: "x",
            y: "y",
        };
        log_log(&path, &Plot::new(axes, &lines).missed("not held")).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        // plotters writes each text on a line of its own.
        let text = |t: &str| svg.contains(&format!("\n{t}\n"));
        assert!(text("tokio") && text("smol"), "{svg}");
        assert!(
            !svg.contains("async.py"),
            "a line with no point has no legend entry"
        );
        assert!(text("19,000") && text("2,000"));
        assert!(text("not held"));
        std::fs::remove_dir_all(&dir).unwrap();
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
