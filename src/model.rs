//! The typed, validated inputs of a build. Everything here has passed `load/`: ids match their
//! patterns, dates are dates, tolerances sit on the right side of their targets.

use std::collections::HashMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::evaluate::aggregate::{Aggregate, Cell};
use crate::evaluate::periods::{Period, PeriodKind};

/// The largest size of a measured value, target or tolerance. Nothing measured by an outsourcing
/// KPI comes near it, and below it every sum and mean stays exact enough and finite.
pub const LARGEST_VALUE: f64 = 1e15;

/// `vendorcard.yaml`, with its defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub title: String,
    pub organisation: Option<String>,
    /// Where the site is hosted, always ending in `/`; `None` when it may be anywhere.
    pub base_url: Option<String>,
    pub period: PeriodKind,
    pub as_of: Option<NaiveDate>,
    /// Where settings write `as_of` (line, column), to place a problem found against today.
    pub as_of_place: Option<(u64, u64)>,
    pub grades: Vec<Grade>,
    pub expiring_days: u32,
    pub survey_min_responses: u32,
    pub sources: Vec<Source>,
}

impl Default for Settings {
    fn default() -> Self {
        let grade = |grade: &str, min: u32| Grade {
            grade: grade.to_owned(),
            min: f64::from(min),
            consequence: None,
        };
        Settings {
            title: "Vendor scorecards".to_owned(),
            organisation: None,
            base_url: None,
            period: PeriodKind::Month,
            as_of: None,
            as_of_place: None,
            grades: vec![grade("A", 90), grade("B", 75), grade("C", 60), grade("D", 0)],
            expiring_days: 60,
            survey_min_responses: 3,
            sources: Vec::new(),
        }
    }
}

/// A raw export declared in `vendorcard.yaml`, and how its rows become measurements.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// False when the source has problems of its own: it is still checked against the
    /// contracts, but its files are not read.
    pub readable: bool,
    pub name: String,
    /// Globs relative to the project folder.
    pub files: Vec<String>,
    /// The column that dates a row.
    pub date: String,
    /// A chrono format for the dates; ISO forms need none.
    pub date_format: Option<String>,
    pub vendor: VendorRule,
    /// With several rows per key, the last one in file order is the one measured.
    pub key: Option<String>,
    /// Rows are kept only where each of these columns holds one of its values.
    pub filters: Vec<(String, Vec<String>)>,
    /// Cell texts that mean "no value".
    pub missing: Vec<String>,
    /// The cell separator of CSV files; detected from the header line when `None`.
    pub delimiter: Option<u8>,
    pub decimal: DecimalMark,
    /// The encoding of CSV files without a byte-order mark; UTF-8 when `None`.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// The sheet of spreadsheet files; the first when `None`.
    pub sheet: Option<String>,
    /// KPI id and how the KPI is read from a row, in KPI id order.
    pub kpis: Vec<SourceKpi>,
    /// Where the source is written in `vendorcard.yaml` (line, column), for messages.
    pub at: (u64, u64),
    /// Where its `vendor` is written.
    pub vendor_at: (u64, u64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum VendorRule {
    /// The whole file is this vendor's.
    Fixed(String),
    /// A column whose values map to vendor ids; several values may map to one vendor.
    Column { column: String, map: Vec<(String, String)> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct SourceKpi {
    pub id: String,
    pub mapping: Mapping,
    /// Where the mapping is written in `vendorcard.yaml` (line, column).
    pub at: (u64, u64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Mapping {
    /// A column of numbers or durations; `unit` is what a plain number measures, and `scale`
    /// multiplies it (100 for a spreadsheet's percentages, stored as fractions).
    Column { column: String, unit: Option<TimeUnit>, scale: Option<f64> },
    /// 100 where the column holds one of `values`, 0 elsewhere.
    Equals { column: String, values: Vec<String> },
    /// The time from one timestamp column to another, in the KPI's unit.
    Between { start: String, end: String, unit: Option<TimeUnit> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    pub fn seconds(self) -> f64 {
        match self {
            TimeUnit::Seconds => 1.0,
            TimeUnit::Minutes => 60.0,
            TimeUnit::Hours => 3600.0,
            TimeUnit::Days => 86_400.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "seconds",
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
        }
    }
}

/// The decimal mark of an export's numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DecimalMark {
    #[default]
    Point,
    Comma,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Grade {
    pub grade: String,
    pub min: f64,
    pub consequence: Option<String>,
}

/// One vendor's contract.
#[derive(Clone, Debug, PartialEq)]
pub struct Contract {
    pub id: String,
    /// Where `id:` is written (line, column); `None` when the id is the file's name.
    pub id_at: Option<(u64, u64)>,
    /// The contract file, relative to the project folder.
    pub file: String,
    pub name: String,
    pub service: Option<String>,
    pub term: Term,
    /// End of transition: periods that end before it are not due.
    pub service_levels_from: NaiveDate,
    pub fee: Option<Fee>,
    pub kpis: Vec<Kpi>,
    pub credit_cap_percent: Option<Decimal>,
    /// A credit is waived when the KPI is met in each of the next this many scored periods.
    pub earn_back_periods: Option<u32>,
    pub exclusions: Vec<Exclusion>,
    pub disputes: Vec<Dispute>,
    pub deliverables: Vec<Deliverable>,
    pub data_protection: Vec<Evidence>,
    pub review_cadence_days: Option<u32>,
}

impl Contract {
    pub fn kpi_index(&self, id: &str) -> Option<usize> {
        self.kpis.iter().position(|kpi| kpi.id == id)
    }

    /// The first exclusion that removes a measurement of `kpi` dated `date`.
    pub fn exclusion(&self, kpi: usize, date: NaiveDate) -> Option<usize> {
        self.exclusions.iter().position(|e| e.covers(kpi, date))
    }

    pub fn dispute(&self, kpi: usize, period: Period) -> Option<&Dispute> {
        self.disputes.iter().find(|d| d.kpi == kpi && d.period == period)
    }

    /// Whether a measurement on `date` falls within the term.
    pub fn in_term(&self, date: NaiveDate) -> bool {
        date >= self.term.start && self.term.end.is_none_or(|end| date <= end)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub notice_days: Option<u32>,
    pub auto_renew: bool,
}

impl Term {
    /// The month in which a quarterly KPI of a monthly site is measured over `month`'s quarter:
    /// the quarter's last month, or the term's last month when the term ends before it.
    pub fn measuring_month(&self, month: Period) -> Period {
        let quarter_end = month.quarter().last_day();
        let on = self.end.filter(|end| *end < quarter_end).unwrap_or(quarter_end);
        Period::containing(PeriodKind::Month, on)
    }

    /// The last day notice can be given: `end − notice_days`.
    pub fn notice_deadline(&self) -> Option<NaiveDate> {
        let days = self.notice_days?;
        self.end?.checked_sub_days(chrono::Days::new(u64::from(days)))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fee {
    pub monthly: Decimal,
    /// ISO 4217 code.
    pub currency: String,
    /// Digits after the decimal mark in this currency (2 for EUR, 0 for JPY).
    pub minor_digits: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Minutes,
    Hours,
    Days,
    Percent,
    Count,
    Score,
    Ratio,
    Currency,
}

impl Unit {
    /// The unit as a time unit, for the KPIs that measure durations.
    pub fn time(self) -> Option<TimeUnit> {
        match self {
            Unit::Seconds => Some(TimeUnit::Seconds),
            Unit::Minutes => Some(TimeUnit::Minutes),
            Unit::Hours => Some(TimeUnit::Hours),
            Unit::Days => Some(TimeUnit::Days),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Minutes => "minutes",
            Unit::Hours => "hours",
            Unit::Days => "days",
            Unit::Percent => "percent",
            Unit::Count => "count",
            Unit::Score => "score",
            Unit::Ratio => "ratio",
            Unit::Currency => "currency",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenMissing {
    Breach,
    Skip,
}

/// How often a KPI is measured, in a monthly site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measured {
    Monthly,
    Quarterly,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Kpi {
    pub id: String,
    pub name: String,
    pub unit: Unit,
    pub better: Better,
    pub target: f64,
    pub tolerance: Option<f64>,
    pub weight: f64,
    pub aggregate: Aggregate,
    pub credit: CreditRule,
    pub when_missing: WhenMissing,
    pub min_count: Option<u64>,
    pub measured: Measured,
}

/// What a KPI owes when it fails.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum CreditRule {
    #[default]
    None,
    /// `credit_percent`: owed in breach, or missing (unless the KPI skips missing periods).
    Flat(Decimal),
    /// `credit_tiers`, from the mildest to the most severe: the largest percent of the tiers
    /// crossed is owed, whatever the status.
    Tiers(Vec<CreditTier>),
}

impl CreditRule {
    /// The most a period can owe under this rule: what a missing period owes.
    pub fn largest(&self) -> Option<Decimal> {
        match self {
            CreditRule::None => None,
            CreditRule::Flat(percent) => Some(*percent),
            CreditRule::Tiers(tiers) => tiers.iter().map(|t| t.percent).max(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreditTier {
    /// Crossed when the actual is worse than this (below it for `better: higher`).
    pub worse_than: f64,
    pub percent: Decimal,
}

/// An agreed event that does not count against the vendor: measurements dated from `from` to
/// `to`, both included, are removed for one KPI or for all.
#[derive(Clone, Debug, PartialEq)]
pub struct Exclusion {
    /// Index into the contract's KPIs; `None` for every KPI.
    pub kpi: Option<usize>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

impl Exclusion {
    pub fn covers(&self, kpi: usize, date: NaiveDate) -> bool {
        self.kpi.is_none_or(|k| k == kpi) && self.from <= date && date <= self.to
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisputeStatus {
    /// Not decided: the credit is disputed, not owed.
    Open,
    /// Decided for the vendor: the period is excluded.
    Upheld,
    /// Decided against the vendor: measured as usual.
    Rejected,
}

impl DisputeStatus {
    pub fn name(self) -> &'static str {
        match self {
            DisputeStatus::Open => "open",
            DisputeStatus::Upheld => "upheld",
            DisputeStatus::Rejected => "rejected",
        }
    }
}

/// The vendor contests a KPI's figures for a period.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispute {
    /// Index into the contract's KPIs.
    pub kpi: usize,
    pub period: Period,
    pub raised: NaiveDate,
    pub status: DisputeStatus,
    /// When an upheld or rejected dispute was decided, if the contract says: a rejected one's
    /// credit is owed from then.
    pub decided: Option<NaiveDate>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Deliverable {
    pub id: String,
    pub name: String,
    pub due: NaiveDate,
    pub delivered: Option<NaiveDate>,
    pub accepted: Option<bool>,
}

/// A data-protection clause and the evidence that it is kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub id: String,
    pub clause: String,
    pub evidence: String,
    pub verified: NaiveDate,
    pub valid_days: u32,
}

impl Evidence {
    pub fn expires(&self) -> NaiveDate {
        self.verified
            .checked_add_days(chrono::Days::new(u64::from(self.valid_days)))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// Where a cell's measurements belong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey {
    pub vendor: usize,
    pub kpi: usize,
    pub period: Period,
}

/// Every measurement of the build, folded into one cell per vendor, KPI and site period.
///
/// The cells are kept per vendor: a vendor's few hundred cells fit in a cache where the whole
/// portfolio's do not, so the cells of each file read are merged in quickly.
#[derive(Clone, Debug, Default)]
pub struct Measurements {
    /// Per vendor (index into the contracts): the cell of each KPI and period.
    vendors: Vec<FxHashMap<(usize, Period), Cell>>,
    /// Per cell: how many measurements an exclusion removed, and the first exclusion that did.
    pub excluded: FxHashMap<CellKey, (u64, usize)>,
}

impl Measurements {
    pub fn cell(&self, vendor: usize, kpi: usize, period: Period) -> Option<&Cell> {
        self.vendors.get(vendor)?.get(&(kpi, period))
    }

    /// The cell of `key`, to fill or to merge into.
    pub fn entry(
        &mut self,
        key: CellKey,
    ) -> std::collections::hash_map::Entry<'_, (usize, Period), Cell> {
        if self.vendors.len() <= key.vendor {
            self.vendors.resize_with(key.vendor + 1, FxHashMap::default);
        }
        self.vendors[key.vendor].entry((key.kpi, key.period))
    }

    /// Every cell, vendor by vendor; within a vendor in no set order.
    pub fn iter(&self) -> impl Iterator<Item = (CellKey, &Cell)> {
        self.vendors.iter().enumerate().flat_map(|(vendor, cells)| {
            cells.iter().map(move |(&(kpi, period), cell)| (CellKey { vendor, kpi, period }, cell))
        })
    }

    /// Every cell, on every core, vendor by vendor.
    pub fn par_iter(&self) -> impl ParallelIterator<Item = (CellKey, &Cell)> {
        self.vendors.par_iter().enumerate().flat_map_iter(|(vendor, cells)| {
            cells.iter().map(move |(&(kpi, period), cell)| (CellKey { vendor, kpi, period }, cell))
        })
    }

    /// Drops the cells of periods after `last`, on every core. Per vendor that has cells: the
    /// measurements kept and those dropped.
    pub fn keep_through(&mut self, last: Period) -> Vec<(usize, Kept)> {
        self.vendors
            .par_iter_mut()
            .enumerate()
            .filter(|(_, cells)| !cells.is_empty())
            .map(|(vendor, cells)| {
                let mut kept = Kept::default();
                cells.retain(|&(_, period), cell| {
                    let keep = period <= last;
                    if keep {
                        kept.kept += cell.count();
                    } else {
                        kept.dropped += cell.count();
                    }
                    keep
                });
                (vendor, kept)
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.vendors.iter().map(FxHashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What [`Measurements::keep_through`] kept and dropped of one vendor's measurements.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    pub kept: u64,
    pub dropped: u64,
}

/// The same cells, however many vendors without any were made room for.
impl PartialEq for Measurements {
    fn eq(&self, other: &Self) -> bool {
        let none = FxHashMap::default();
        let longest = self.vendors.len().max(other.vendors.len());
        self.excluded == other.excluded
            && (0..longest).all(|vendor| {
                self.vendors.get(vendor).unwrap_or(&none)
                    == other.vendors.get(vendor).unwrap_or(&none)
            })
    }
}

/// Who a survey answer comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SurveyKind {
    /// A quality-assurance survey of the vendor's customers.
    Customer,
    /// Our own employees who work with the vendor.
    Staff,
    /// A session in which we watched the vendor work.
    Shadowing,
    /// The outsourced team itself, about working with us.
    VendorTeam,
}

impl SurveyKind {
    pub const ALL: [SurveyKind; 4] =
        [SurveyKind::Customer, SurveyKind::Staff, SurveyKind::Shadowing, SurveyKind::VendorTeam];

    pub fn name(self) -> &'static str {
        match self {
            SurveyKind::Customer => "customer",
            SurveyKind::Staff => "staff",
            SurveyKind::Shadowing => "shadowing",
            SurveyKind::VendorTeam => "vendor_team",
        }
    }

    pub fn parse(text: &str) -> Option<SurveyKind> {
        SurveyKind::ALL.into_iter().find(|k| k.name() == text)
    }
}

/// Survey answers of one vendor, kind and period: their count and sum, and the comments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SurveyCell {
    pub count: u64,
    pub sum: f64,
    /// (date, order read, text), in the order read.
    pub comments: Vec<(NaiveDate, (u32, u64), String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SurveyKey {
    pub vendor: usize,
    pub kind: SurveyKind,
    pub period: Period,
}

/// A review meeting with a vendor.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    /// Index into the contracts.
    pub vendor: usize,
    pub file: String,
    pub date: NaiveDate,
    pub attendees: Vec<String>,
    pub actions: Vec<Action>,
    /// The notes, as markdown written by people on both sides: untrusted.
    pub notes: String,
}

/// An action agreed at a review; carried over to later reviews under the same id.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub id: String,
    pub text: String,
    pub due: Option<NaiveDate>,
    pub done: bool,
    /// Index into the vendor's KPIs, for an action meant to improve one.
    pub kpi: Option<usize>,
}

/// The validated inputs of one build.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    pub settings: Settings,
    /// Sorted by id.
    pub contracts: Vec<Contract>,
    pub measurements: Measurements,
    pub surveys: HashMap<SurveyKey, SurveyCell>,
    /// By vendor, then date.
    pub reviews: Vec<Review>,
    /// The date that closes the data, set or derived (see `load::as_of`).
    pub as_of: NaiveDate,
}
