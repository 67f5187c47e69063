//! Folding measurements into one cell per vendor, KPI and period, and the aggregates over a cell.
//!
//! A cell keeps a running count, an exact sum, the minimum, maximum and the latest value; only the KPIs that
//! need every value (median and percentiles) keep them, so memory grows with cells, not rows.

use chrono::NaiveDateTime;

use rust_decimal::Decimal;

use crate::evaluate::exact_sum::ExactSum;
use crate::evaluate::rounding::{nearest_f64, to_decimal};

/// How a KPI turns the values of a period into its actual.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    Mean,
    Median,
    Sum,
    Min,
    Max,
    Last,
    P90,
    P95,
    Count,
}

impl Aggregate {
    /// Whether a cell must keep every value to answer this aggregate.
    pub fn needs_values(self) -> bool {
        matches!(self, Aggregate::Median | Aggregate::P90 | Aggregate::P95)
    }

    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Mean => "mean",
            Aggregate::Median => "median",
            Aggregate::Sum => "sum",
            Aggregate::Min => "min",
            Aggregate::Max => "max",
            Aggregate::Last => "last",
            Aggregate::P90 => "p90",
            Aggregate::P95 => "p95",
            Aggregate::Count => "count",
        }
    }
}

/// Where a measurement was read, so that `last` breaks ties the same way on every run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// Position of the file in the sorted list of inputs.
    pub file: u32,
    pub row: u64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Latest {
    at: NaiveDateTime,
    origin: Origin,
    value: f64,
}

impl Latest {
    fn is_after(&self, other: &Latest) -> bool {
        (self.at, self.origin) > (other.at, other.origin)
    }
}

/// The measurements of one vendor, KPI and period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    count: u64,
    sum: ExactSum,
    min: f64,
    max: f64,
    latest: Option<Latest>,
    values: Option<Vec<f64>>,
}

impl Cell {
    pub fn new(keep_values: bool) -> Cell {
        // Room for a few weeks of daily values from the start: growing one value at a time
        // from none reallocates four times before the sixteenth.
        Cell { values: keep_values.then(|| Vec::with_capacity(16)), ..Cell::default() }
    }

    pub fn add(&mut self, value: f64, at: NaiveDateTime, origin: Origin) {
        if self.count == 0 {
            self.min = value;
            self.max = value;
        } else {
            self.min = self.min.min(value);
            self.max = self.max.max(value);
        }
        self.count += 1;
        self.sum.add(value);

        let latest = Latest { at, origin, value };
        if self.latest.is_none_or(|current| latest.is_after(&current)) {
            self.latest = Some(latest);
        }
        if let Some(values) = &mut self.values {
            values.push(value);
        }
    }

    /// Adds `other` into this cell, as if its measurements had been added here one by one.
    pub fn merge(&mut self, other: &Cell) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            self.min = other.min;
            self.max = other.max;
        } else {
            self.min = self.min.min(other.min);
            self.max = self.max.max(other.max);
        }
        self.count += other.count;
        self.sum.merge(&other.sum);
        if let Some(latest) = other.latest
            && self.latest.is_none_or(|current| latest.is_after(&current))
        {
            self.latest = Some(latest);
        }
        match (&mut self.values, &other.values) {
            (Some(values), Some(more)) => values.extend_from_slice(more),
            (None, Some(more)) => self.values = Some(more.clone()),
            _ => {}
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The aggregate over the cell, unrounded; `None` when the cell holds no value.
    pub fn aggregate(&self, aggregate: Aggregate) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        #[allow(clippy::cast_precision_loss, reason = "counts stay far below 2^52")]
        let count = self.count as f64;
        match aggregate {
            Aggregate::Mean => Some(self.sum.mean(self.count)),
            Aggregate::Sum => Some(self.sum.value()),
            Aggregate::Min => Some(self.min),
            Aggregate::Max => Some(self.max),
            Aggregate::Count => Some(count),
            Aggregate::Last => self.latest.map(|latest| latest.value),
            Aggregate::Median => self.percentile(50),
            Aggregate::P90 => self.percentile(90),
            Aggregate::P95 => self.percentile(95),
        }
    }

    fn percentile(&self, p: u32) -> Option<f64> {
        let mut values = self.values.clone()?;
        values.sort_by(f64::total_cmp);
        percentile(&values, p)
    }
}

/// The `p`th percentile of sorted values, interpolating linearly between the closest ranks
/// (numpy's default, a spreadsheet's PERCENTILE.INC).
///
/// The interpolation is worked in decimals, on the values as written: between 8 and 44.488775
/// at 0.9 of the way it is exactly 40.8398975, a tie at the seventh decimal that rounds up to
/// 40.839898, where floats give 40.83989749999… and round down.
pub fn percentile(sorted: &[f64], p: u32) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    // The rank p/100 × last as a whole part and a fraction of 100, exactly.
    let hundredths = u64::from(p) * last as u64;
    let below = usize::try_from(hundredths / 100).ok()?.min(last);
    let fraction = hundredths % 100;
    let (low, high) = (sorted[below], sorted[(below + 1).min(last)]);
    if fraction == 0 || low == high {
        return Some(low);
    }
    let exact = to_decimal(low).zip(to_decimal(high)).and_then(|(low, high)| {
        let fraction = Decimal::new(i64::try_from(fraction).ok()?, 2);
        low.checked_add(high.checked_sub(low)?.checked_mul(fraction)?)
    });
    #[allow(clippy::cast_precision_loss, reason = "a fraction of 100")]
    let float = || low + (high - low) * (fraction as f64 / 100.0);
    // Values beyond the decimal's 28 digits interpolate in floating point.
    Some(exact.map_or_else(float, nearest_f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    fn cell_of(values: &[f64]) -> Cell {
        let mut cell = Cell::new(true);
        for (row, value) in (1..).zip(values) {
            cell.add(*value, at("2026-03-01 00:00"), Origin { file: 0, row });
        }
        cell
    }

    #[test]
    fn p90_interpolates_between_ranks() {
        // Ranks 0..4; 0.9 × 4 = 3.6, so 40 + 0.6 × (50 − 40) = 46.
        assert_eq!(percentile(&[10.0, 20.0, 30.0, 40.0, 50.0], 90), Some(46.0));
    }

    #[test]
    fn a_percentile_is_interpolated_on_the_values_as_written() {
        // Ranks 0..2; 0.95 × 2 = 1.9, so 8 + 0.9 × (44.488775 − 8) = 40.8398975 exactly, which
        // rounds half away from zero to 40.839898; in floats it came to 40.83989749999… and
        // rounded down.
        let p95 = percentile(&[4.0, 8.0, 44.488_775], 95).unwrap();
        assert_eq!(crate::evaluate::rounding::round_half_away(p95, 6), 40.839_898);
        // The median of 0.1 and 0.2 is 0.15, not 0.15000000000000002.
        assert_eq!(percentile(&[0.1, 0.2], 50), Some(0.15));
        // Values past the decimal's range still interpolate.
        assert_eq!(percentile(&[1e300, 3e300], 50), Some(2e300));
    }

    #[test]
    fn median_of_an_even_count_is_the_midpoint() {
        // 0.5 × 3 = 1.5: halfway between 20 and 40.
        assert_eq!(cell_of(&[40.0, 20.0, 80.0, 10.0]).aggregate(Aggregate::Median), Some(30.0));
    }

    #[test]
    fn p95_of_one_value_is_that_value() {
        assert_eq!(cell_of(&[7.0]).aggregate(Aggregate::P95), Some(7.0));
    }

    #[test]
    fn running_aggregates() {
        let cell = cell_of(&[4.0, 1.0, 7.0]);
        assert_eq!(cell.aggregate(Aggregate::Mean), Some(4.0));
        assert_eq!(cell.aggregate(Aggregate::Sum), Some(12.0));
        assert_eq!(cell.aggregate(Aggregate::Min), Some(1.0));
        assert_eq!(cell.aggregate(Aggregate::Max), Some(7.0));
        assert_eq!(cell.aggregate(Aggregate::Count), Some(3.0));
    }

    #[test]
    fn an_empty_cell_has_no_actual_for_any_aggregate() {
        let cell = Cell::new(true);
        for aggregate in [Aggregate::Count, Aggregate::Sum, Aggregate::Mean, Aggregate::P90] {
            assert_eq!(cell.aggregate(aggregate), None, "{}", aggregate.name());
        }
    }

    #[test]
    fn last_takes_the_latest_date_then_the_later_row() {
        let mut cell = Cell::new(false);
        cell.add(1.0, at("2026-03-20 00:00"), Origin { file: 0, row: 9 });
        cell.add(2.0, at("2026-03-05 00:00"), Origin { file: 1, row: 2 });
        assert_eq!(cell.aggregate(Aggregate::Last), Some(1.0), "the later date wins");

        cell.add(3.0, at("2026-03-20 00:00"), Origin { file: 0, row: 4 });
        assert_eq!(cell.aggregate(Aggregate::Last), Some(1.0), "same date: row 9 is later");

        cell.add(4.0, at("2026-03-20 00:00"), Origin { file: 2, row: 1 });
        assert_eq!(cell.aggregate(Aggregate::Last), Some(4.0), "same date: a later file wins");
    }

    #[test]
    fn merging_cells_equals_adding_every_value() {
        let mut january = Cell::new(true);
        january.add(1.0, at("2026-01-05 00:00"), Origin { file: 0, row: 2 });
        january.add(9.0, at("2026-01-20 00:00"), Origin { file: 0, row: 3 });
        let mut february = Cell::new(true);
        february.add(5.0, at("2026-02-03 00:00"), Origin { file: 1, row: 2 });

        let mut every = january.clone();
        every.add(5.0, at("2026-02-03 00:00"), Origin { file: 1, row: 2 });
        january.merge(&february);
        assert_eq!(january, every);
        assert_eq!(january.aggregate(Aggregate::Median), Some(5.0));
        assert_eq!(january.aggregate(Aggregate::Last), Some(5.0));
    }
}
