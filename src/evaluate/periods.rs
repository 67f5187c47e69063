//! Calendar periods: months (`2026-03`) and quarters (`2026-Q1`), and the dates that close them.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};

/// Whether a site is scored per month or per quarter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKind {
    Month,
    Quarter,
}

impl PeriodKind {
    pub fn months(self) -> u32 {
        match self {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
        }
    }
}

/// One month or one quarter, counted from year 0 so that the next period is `index + 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    kind: PeriodKind,
    index: i32,
}

impl Period {
    /// The period of `kind` that holds `date`.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Period {
        let month = date.year() * 12 + month0(date);
        let index = match kind {
            PeriodKind::Month => month,
            PeriodKind::Quarter => month.div_euclid(3),
        };
        Period { kind, index }
    }

    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    pub fn first_day(self) -> NaiveDate {
        let month = self.index * i32::try_from(self.kind.months()).unwrap_or(1);
        NaiveDate::from_ymd_opt(month.div_euclid(12), month0_to_u32(month.rem_euclid(12)) + 1, 1)
            .unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        Period::containing(self.kind, date) == self
    }

    pub fn next(self) -> Period {
        Period { index: self.index + 1, ..self }
    }

    pub fn previous(self) -> Period {
        Period { index: self.index - 1, ..self }
    }

    /// Months in the period: the multiple of the monthly fee it is billed.
    pub fn months(self) -> u32 {
        self.kind.months()
    }

    /// The quarter this month belongs to (a quarter is its own quarter).
    pub fn quarter(self) -> Period {
        Period::containing(PeriodKind::Quarter, self.first_day())
    }

    /// The months of this period, oldest first.
    pub fn month_periods(self) -> impl Iterator<Item = Period> {
        let first = Period::containing(PeriodKind::Month, self.first_day());
        (0..i32::try_from(self.months()).unwrap_or(1))
            .map(move |offset| Period { index: first.index + offset, ..first })
    }

    /// Every period of `kind` from the one holding `from` to the one holding `to`, both included.
    pub fn range(kind: PeriodKind, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = Period> {
        let first = Period::containing(kind, from);
        let last = Period::containing(kind, to);
        (first.index..=last.index).map(move |index| Period { kind, index })
    }

    /// Reads `2026-03` or `2026-Q1`.
    pub fn parse(text: &str) -> Option<Period> {
        let (year, rest) = text.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        if let Some(quarter) = rest.strip_prefix('Q') {
            let quarter: i32 = quarter.parse().ok().filter(|q| (1..=4).contains(q))?;
            return (quarter.to_string() == rest[1..])
                .then_some(Period { kind: PeriodKind::Quarter, index: year * 4 + quarter - 1 });
        }
        if rest.len() != 2 || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let month: i32 = rest.parse().ok().filter(|m| (1..=12).contains(m))?;
        Some(Period { kind: PeriodKind::Month, index: year * 12 + month - 1 })
    }
}

fn month0(date: NaiveDate) -> i32 {
    i32::try_from(date.month0()).unwrap_or(0)
}

fn month0_to_u32(month0: i32) -> u32 {
    u32::try_from(month0).unwrap_or(0)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Month => {
                write!(f, "{:04}-{:02}", self.index.div_euclid(12), self.index.rem_euclid(12) + 1)
            }
            PeriodKind::Quarter => {
                write!(f, "{:04}-Q{}", self.index.div_euclid(4), self.index.rem_euclid(4) + 1)
            }
        }
    }
}

/// `date` plus `days`, saturating at the end of the calendar.
pub fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(chrono::Duration::days(days)).unwrap_or(NaiveDate::MAX)
}

/// `date` plus whole months, for tests and generators that step through a calendar.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn month_bounds_follow_the_calendar() {
        let february = Period::containing(PeriodKind::Month, date("2028-02-10"));
        assert_eq!(february.to_string(), "2028-02");
        assert_eq!(february.first_day(), date("2028-02-01"));
        assert_eq!(february.last_day(), date("2028-02-29"), "2028 is a leap year");
        assert_eq!(february.next().to_string(), "2028-03");
        assert_eq!(february.previous().previous().to_string(), "2027-12");
    }

    #[test]
    fn quarter_bounds_and_months() {
        let q3 = Period::containing(PeriodKind::Quarter, date("2026-08-31"));
        assert_eq!(q3.to_string(), "2026-Q3");
        assert_eq!(q3.first_day(), date("2026-07-01"));
        assert_eq!(q3.last_day(), date("2026-09-30"));
        assert_eq!(q3.months(), 3);
        let months: Vec<String> = q3.month_periods().map(|m| m.to_string()).collect();
        assert_eq!(months, ["2026-07", "2026-08", "2026-09"]);
        assert_eq!(q3.next().to_string(), "2026-Q4");
        assert_eq!(q3.next().next().to_string(), "2027-Q1");
    }

    #[test]
    fn a_month_knows_its_quarter() {
        let november = Period::parse("2026-11").unwrap();
        assert_eq!(november.quarter().to_string(), "2026-Q4");
        assert_eq!(november.quarter().last_day(), date("2026-12-31"));
    }

    #[test]
    fn range_covers_both_ends() {
        let labels: Vec<String> =
            Period::range(PeriodKind::Month, date("2025-11-15"), date("2026-02-01"))
                .map(|p| p.to_string())
                .collect();
        assert_eq!(labels, ["2025-11", "2025-12", "2026-01", "2026-02"]);
    }

    #[test]
    fn parse_accepts_months_and_quarters_only() {
        assert_eq!(Period::parse("2026-03").map(|p| p.to_string()).as_deref(), Some("2026-03"));
        assert_eq!(Period::parse("2026-Q4").map(|p| p.to_string()).as_deref(), Some("2026-Q4"));
        for bad in ["2026-13", "2026-Q5", "2026-3", "26-03", "2026-Q01", "2026-03-01", ""] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }
}
