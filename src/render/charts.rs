//! Inline SVG charts drawn with plotters: a KPI's actual per period against its target and
//! tolerance, and the small trend line of a vendor's score. Every chart carries a `<title>`;
//! the page beside it holds the same figures as a table.
//!
//! Status is told by shape as well as colour (a circle when met, a diamond at risk, a triangle
//! in breach, a cross when missing), in a palette that colour-blind readers can tell apart.

use plotters::prelude::*;

use crate::evaluate::status::Status;
use crate::render::format;

const ACTUAL: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const TARGET: RGBColor = RGBColor(0x00, 0x9E, 0x73);
const TOLERANCE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
const BREACH: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const MISSING: RGBColor = RGBColor(0x66, 0x66, 0x66);
const NOT_DUE: RGBColor = RGBColor(0x99, 0x99, 0x99);
const INK: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// One period of a KPI chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub label: String,
    pub actual: Option<f64>,
    pub status: Status,
}

/// What a KPI chart shows.
#[derive(Debug)]
pub struct KpiChart<'a> {
    /// Unique on its page: used for the title's element id.
    pub id: &'a str,
    pub title: &'a str,
    pub points: &'a [Point],
    pub target: f64,
    pub tolerance: Option<f64>,
    /// Whether the KPI counts things, so that the axis shows whole numbers only.
    pub whole_numbers: bool,
}

/// The y range to draw: every value, the target and the tolerance, padded so that a single
/// point or all-equal values still get a band of their own.
pub fn value_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (low, high) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !low.is_finite() {
        return (0.0, 1.0);
    }
    let span = high - low;
    let pad = if span > 0.0 { span * 0.12 } else { low.abs().max(1.0) * 0.1 };
    let (low, high) = (low - pad, high + pad);
    // Plotters cannot place axis labels on an infinite range; inputs are bounded well below
    // that, so this only guards against a future caller.
    if low.is_finite() && high.is_finite() { (low, high) } else { (-1.0, 1.0) }
}

pub fn kpi_chart(chart: &KpiChart) -> String {
    drawn(chart.id, chart.title, |svg| draw_kpi_chart(svg, chart))
}

fn draw_kpi_chart(svg: &mut String, chart: &KpiChart) -> Result<(), Box<dyn std::error::Error>> {
    let count = chart.points.len();
    #[allow(clippy::cast_precision_loss, reason = "a chart has at most a few hundred periods")]
    let x_end = count.max(1) as f64 - 0.5;
    let bounds =
        chart.points.iter().filter_map(|p| p.actual).chain([chart.target]).chain(chart.tolerance);
    let (y_low, y_high) = value_range(bounds);

    let root = SVGBackend::with_string(svg, (600, 250)).into_drawing_area();
    let mut plot = ChartBuilder::on(&root)
        .margin_top(12)
        .margin_right(16)
        .margin_left(4)
        .x_label_area_size(28)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..x_end, y_low..y_high)?;

    let labels = chart.points.iter().map(|p| p.label.as_str()).collect::<Vec<_>>();
    let every = count.div_ceil(8).max(1);
    let x_label = |x: &f64| {
        let index = x.round();
        if (x - index).abs() > 1e-6 || index < 0.0 {
            return String::new();
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked above")]
        let index = index as usize;
        if index.is_multiple_of(every) {
            labels.get(index).map(|l| (*l).to_owned()).unwrap_or_default()
        } else {
            String::new()
        }
    };
    plot.configure_mesh()
        .disable_x_mesh()
        .x_labels(count.max(1) + 1)
        .x_label_formatter(&x_label)
        .y_labels(5)
        .y_label_formatter(&|y| {
            if chart.whole_numbers && y.fract().abs() > 1e-9 {
                String::new()
            } else {
                format::number(*y)
            }
        })
        .label_style(("sans-serif", 15).into_font().color(&INK))
        .axis_style(NOT_DUE)
        .max_light_lines(0)
        .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
        .draw()?;

    let column = |index: usize| {
        #[allow(clippy::cast_precision_loss, reason = "a chart has at most a few hundred periods")]
        let x = index as f64;
        x
    };
    let not_due = chart.points.iter().enumerate().filter(|(_, p)| p.status == Status::NotDue);
    plot.draw_series(not_due.map(|(i, _)| {
        Rectangle::new(
            [(column(i) - 0.5, y_low), (column(i) + 0.5, y_high)],
            NOT_DUE.mix(0.15).filled(),
        )
    }))?;
    if let Some(tolerance) = chart.tolerance {
        plot.draw_series(std::iter::once(Rectangle::new(
            [(-0.5, chart.target), (x_end, tolerance)],
            TOLERANCE.mix(0.18).filled(),
        )))?;
        plot.draw_series(DashedLineSeries::new(
            [(-0.5, tolerance), (x_end, tolerance)],
            6,
            4,
            TOLERANCE.stroke_width(2),
        ))?;
    }
    plot.draw_series(LineSeries::new(
        [(-0.5, chart.target), (x_end, chart.target)],
        TARGET.stroke_width(2),
    ))?;

    // The actual is drawn as a line through consecutive measured periods, broken where a
    // period has no value.
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut runs = Vec::new();
    for (i, point) in chart.points.iter().enumerate() {
        match point.actual {
            Some(actual) if point.status != Status::NotDue => run.push((column(i), actual)),
            _ => runs.push(std::mem::take(&mut run)),
        }
    }
    runs.push(run);
    for run in runs.into_iter().filter(|r| r.len() > 1) {
        plot.draw_series(LineSeries::new(run, ACTUAL.stroke_width(2)))?;
    }

    for (i, point) in chart.points.iter().enumerate() {
        let x = column(i);
        match (point.status, point.actual) {
            (Status::Breach, Some(y)) => {
                plot.draw_series(std::iter::once(TriangleMarker::new((x, y), 7, BREACH.filled())))?;
            }
            (Status::AtRisk, Some(y)) => {
                // Drawn in pixels around the point, so it keeps its shape however few periods
                // the chart has.
                let diamond = vec![(0, -7), (7, 0), (0, 7), (-7, 0)];
                let marker = EmptyElement::at((x, y)) + Polygon::new(diamond, TOLERANCE.filled());
                plot.draw_series(std::iter::once(marker))?;
            }
            (Status::NotDue, Some(y)) => {
                plot.draw_series(std::iter::once(Circle::new((x, y), 3, NOT_DUE.filled())))?;
            }
            (Status::Excluded, Some(y)) => {
                plot.draw_series(std::iter::once(Circle::new((x, y), 5, MISSING.stroke_width(2))))?;
            }
            (Status::Missing, _) => {
                plot.draw_series(std::iter::once(Cross::new(
                    (x, y_low + (y_high - y_low) * 0.06),
                    6,
                    MISSING.stroke_width(2),
                )))?;
            }
            (_, Some(y)) => {
                plot.draw_series(std::iter::once(Circle::new((x, y), 4, ACTUAL.filled())))?;
            }
            (_, None) => {}
        }
    }
    root.present()?;
    Ok(())
}

/// The trend of one kind of survey: the mean (1 to 5) per period, broken where a mean is
/// withheld.
pub fn survey_chart(id: &str, title: &str, points: &[(String, Option<f64>)]) -> String {
    drawn(id, title, |svg| draw_survey_chart(svg, points))
}

fn draw_survey_chart(
    svg: &mut String,
    points: &[(String, Option<f64>)],
) -> Result<(), Box<dyn std::error::Error>> {
    let count = points.len();
    #[allow(clippy::cast_precision_loss, reason = "a chart has at most a few hundred periods")]
    let x_end = count.max(1) as f64 - 0.5;
    let root = SVGBackend::with_string(svg, (360, 150)).into_drawing_area();
    let mut plot = ChartBuilder::on(&root)
        .margin_top(8)
        .margin_right(12)
        .x_label_area_size(24)
        .y_label_area_size(30)
        .build_cartesian_2d(-0.5..x_end, 1.0..5.0)?;
    let every = count.div_ceil(4).max(1);
    let x_label = |x: &f64| {
        let index = x.round();
        if (x - index).abs() > 1e-6 || index < 0.0 {
            return String::new();
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked above")]
        let index = index as usize;
        if index.is_multiple_of(every) {
            points.get(index).map(|p| p.0.clone()).unwrap_or_default()
        } else {
            String::new()
        }
    };
    plot.configure_mesh()
        .disable_x_mesh()
        .x_labels(count.max(1) + 1)
        .x_label_formatter(&x_label)
        .y_labels(5)
        .y_label_formatter(&|y| format::number(*y))
        .label_style(("sans-serif", 13).into_font().color(&INK))
        .axis_style(NOT_DUE)
        .max_light_lines(0)
        .bold_line_style(RGBColor(0xE4, 0xE4, 0xE4))
        .draw()?;
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut runs = Vec::new();
    for (i, (_, mean)) in points.iter().enumerate() {
        #[allow(clippy::cast_precision_loss, reason = "a chart has at most a few hundred periods")]
        let x = i as f64;
        match mean {
            Some(mean) => run.push((x, *mean)),
            None => runs.push(std::mem::take(&mut run)),
        }
    }
    runs.push(run);
    for run in runs {
        if run.len() > 1 {
            plot.draw_series(LineSeries::new(run.iter().copied(), ACTUAL.stroke_width(2)))?;
        }
        plot.draw_series(run.into_iter().map(|p| Circle::new(p, 3, ACTUAL.filled())))?;
    }
    root.present()?;
    Ok(())
}

/// The small trend line of a vendor's score (0 to 100) across periods; unscored periods
/// break the line.
pub fn sparkline(id: &str, title: &str, scores: &[Option<f64>]) -> String {
    drawn(id, title, |svg| draw_sparkline(svg, scores))
}

fn draw_sparkline(
    svg: &mut String,
    scores: &[Option<f64>],
) -> Result<(), Box<dyn std::error::Error>> {
    #[allow(clippy::cast_precision_loss, reason = "a trend has at most a few hundred periods")]
    let x_end = (scores.len().max(2) - 1) as f64;
    let root = SVGBackend::with_string(svg, (120, 32)).into_drawing_area();
    let mut plot = ChartBuilder::on(&root).margin(4).build_cartesian_2d(0.0..x_end, 0.0..100.0)?;

    let mut run = Vec::new();
    let mut runs = Vec::new();
    for (i, score) in scores.iter().enumerate() {
        #[allow(clippy::cast_precision_loss, reason = "a trend has at most a few hundred periods")]
        let x = i as f64;
        match score {
            Some(score) => run.push((x, *score)),
            None => runs.push(std::mem::take(&mut run)),
        }
    }
    runs.push(run);
    for run in &runs {
        if run.len() > 1 {
            plot.draw_series(LineSeries::new(run.iter().copied(), ACTUAL.stroke_width(2)))?;
        }
    }
    if let Some(last) = runs.iter().rev().find_map(|r| r.last()) {
        plot.draw_series(std::iter::once(Circle::new(*last, 3, ACTUAL.filled())))?;
    }
    root.present()?;
    Ok(())
}

/// Gives the SVG its accessible name and lets it scale with the page.
/// A chart drawn by `draw`, titled. Plotters only fails on a backend error, which writing to a
/// String never gives; were it to, the chart is left out rather than half drawn.
fn drawn(
    id: &str,
    title: &str,
    draw: impl FnOnce(&mut String) -> Result<(), Box<dyn std::error::Error>>,
) -> String {
    let mut svg = String::new();
    if draw(&mut svg).is_err() {
        svg.clear();
    }
    titled(&svg, id, title)
}

fn titled(svg: &str, id: &str, title: &str) -> String {
    let Some(open_end) = svg.find('>') else {
        return String::new();
    };
    let (open, rest) = svg.split_at(open_end);
    let open = open.replacen(
        "<svg ",
        &format!("<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}\" "),
        1,
    );
    let open = strip_size(&open);
    format!("{open}><title id=\"{id}\">{}</title>{}", format::escape(title), &rest[1..])
}

/// Drops the fixed width and height so that CSS sizes the chart; the viewBox keeps its shape.
fn strip_size(open: &str) -> String {
    open.split(' ')
        .filter(|part| !part.starts_with("width=\"") && !part.starts_with("height=\""))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(values: &[Option<f64>], status: Status) -> Vec<Point> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Point { label: format!("2026-{:02}", i + 1), actual: *v, status })
            .collect()
    }

    fn chart(points: &[Point], tolerance: Option<f64>) -> String {
        kpi_chart(&KpiChart {
            id: "c",
            title: "Wait <time>",
            points,
            target: 60.0,
            tolerance,
            whole_numbers: false,
        })
    }

    #[test]
    fn ranges_are_padded_for_one_point_and_equal_values() {
        assert_eq!(value_range([50.0]), (45.0, 55.0));
        assert_eq!(value_range([0.0, 0.0]), (-0.1, 0.1));
        let (low, high) = value_range([10.0, 20.0]);
        assert!(low < 10.0 && high > 20.0);
        assert_eq!(value_range([]), (0.0, 1.0));
    }

    #[test]
    fn a_chart_has_an_escaped_title_and_scales() {
        let svg = chart(&points(&[Some(48.0), Some(75.0)], Status::Met), Some(90.0));
        assert!(
            svg.starts_with("<svg class=\"chart\" role=\"img\" aria-labelledby=\"c\""),
            "{}",
            &svg[..120]
        );
        assert!(svg.contains("<title id=\"c\">Wait &lt;time&gt;</title>"));
        assert!(!svg.contains("width=\"600\""));
        assert!(svg.contains("viewBox=\"0 0 600 250\""));
    }

    #[test]
    fn degenerate_series_still_draw() {
        for series in [
            vec![],
            points(&[Some(60.0)], Status::Met),
            points(&[Some(5.0); 4], Status::Met),
            points(&[None, None], Status::Missing),
        ] {
            let svg = chart(&series, None);
            assert!(svg.ends_with("</svg>\n") || svg.ends_with("</svg>"), "{svg}");
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        }
    }

    #[test]
    fn sparkline_survives_gaps_and_single_points() {
        for scores in [vec![], vec![Some(80.0)], vec![None, Some(50.0), None], vec![Some(100.0); 3]]
        {
            let svg = sparkline("s", "Trend", &scores);
            assert!(svg.contains("<title id=\"s\">Trend</title>"), "{svg}");
            assert!(!svg.contains("NaN"));
        }
    }
}
