//! From validated inputs to numbers: every KPI's actual, status and score per period, each
//! vendor's weighted score, grade and credits, and the alerts. Pure: no files, no formatting.

pub mod aggregate;
pub mod alerts;
pub mod credits;
pub mod exact_sum;
pub mod feedback;
pub mod obligations;
pub mod periods;
pub mod remedies;
pub mod rounding;
pub mod status;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::model::{Contract, DisputeStatus, Measured, Project, WhenMissing};
use aggregate::Cell;
use alerts::Alert;
use credits::{Credit, CreditTotals, PeriodCredits, Raised};
use obligations::{DeliverableResult, EvidenceStatus};
use periods::{Period, PeriodKind};
use rounding::round_half_away;
use status::Status;

/// Why a KPI's period is excluded from scoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exclusion {
    /// Fewer values than the KPI's `min_count` (the result's `count`).
    TooFew { min: u64 },
    /// Every measurement of the period fell in an agreed exclusion (index into the contract's).
    Agreed { index: usize },
    /// The vendor disputed the period and the dispute was upheld.
    DisputeUpheld,
}

/// One KPI in one period.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiResult {
    pub status: Status,
    /// Rounded to 6 decimals; also shown for an excluded period that had values.
    pub actual: Option<f64>,
    /// `None` where the KPI is not scored.
    pub score: Option<f64>,
    /// Values measured in the period.
    pub count: u64,
    pub exclusion: Option<Exclusion>,
    /// Measurements of a period measured on what agreed exclusions left of it: how many were
    /// left out, and the first exclusion (index into the contract's) that left any out. Kept
    /// small, as there is one result per vendor, KPI and period.
    pub partly_excluded: Option<(u32, u32)>,
    pub credit: Option<Credit>,
}

/// One vendor in one period.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodResult {
    pub period: Period,
    pub score: Option<f64>,
    /// Index into the settings' grades.
    pub grade: Option<usize>,
    pub kpis: Vec<KpiResult>,
    pub credits: PeriodCredits,
    /// The money of earlier periods' credits that became owed in this one (their earn-back
    /// missed, the term found too short to earn them back, or their dispute rejected in it).
    pub owed_from_earlier: rust_decimal::Decimal,
    /// The kinds of survey with at least one answer in the period.
    pub surveys: Vec<feedback::SurveyResult>,
}

/// One vendor's scorecard.
#[derive(Clone, Debug, PartialEq)]
pub struct Scorecard {
    /// Index into the project's contracts.
    pub vendor: usize,
    /// Every period of the term up to `as_of`, oldest first.
    pub periods: Vec<PeriodResult>,
    /// Index into `periods` of the headline: the period holding `as_of`, or the last of a term
    /// that ended before it.
    pub headline: Option<usize>,
    pub credits_term: CreditTotals,
    pub deliverables: Vec<DeliverableResult>,
    pub evidence: Vec<EvidenceStatus>,
    /// Every action agreed at the vendor's reviews, in its latest state.
    pub actions: Vec<feedback::ActionState>,
    /// The vendor's reviews, oldest first.
    pub reviews: Vec<feedback::ReviewSummary>,
    pub alerts: Vec<Alert>,
}

impl PeriodResult {
    /// The money that became owed in this period: its own credits owed outright, and earlier
    /// ones that became owed in it. What is invoiced for the period.
    pub fn owed_for_period(&self) -> rust_decimal::Decimal {
        let outright: rust_decimal::Decimal = self
            .kpis
            .iter()
            .filter_map(|k| k.credit.as_ref())
            .filter(|credit| credit.owed_in == Some(self.period))
            .filter_map(|credit| credit.amount)
            .sum();
        outright + self.owed_from_earlier
    }
}

impl Scorecard {
    pub fn headline(&self) -> Option<&PeriodResult> {
        self.headline.map(|index| &self.periods[index])
    }

    pub fn period(&self, period: Period) -> Option<&PeriodResult> {
        self.periods.iter().find(|p| p.period == period)
    }

    /// The credits that became owed in `period`, with the period each was raised in: those
    /// raised in it and owed outright, and earlier ones that became owed in it. This is what a
    /// finance team invoices for the period.
    pub fn became_owed(&self, period: Period) -> impl Iterator<Item = (Period, &Credit)> {
        self.periods.iter().flat_map(move |raised| {
            raised.kpis.iter().filter_map(move |result| {
                let credit = result.credit.as_ref()?;
                (credit.owed_in == Some(period)).then_some((raised.period, credit))
            })
        })
    }

    /// The result of the period holding `as_of` (the evaluation's period), which the portfolio,
    /// the data files and the gates report; `None` for a term that ended before it, whose
    /// headline is its last period, or one that has not begun.
    pub fn current(&self, as_of_period: Period) -> Option<&PeriodResult> {
        self.headline().filter(|p| p.period == as_of_period)
    }
}

/// Every scorecard of a build.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub as_of: NaiveDate,
    pub today: NaiveDate,
    /// The period holding `as_of`.
    pub period: Period,
    /// In the order of the project's contracts (by id).
    pub scorecards: Vec<Scorecard>,
}

pub fn evaluate(project: &Project, today: NaiveDate) -> Evaluation {
    let kind = project.settings.period;
    // Each vendor's scorecard depends on its own contract and cells alone, so they are worked
    // out on every core; collecting keeps the contracts' order.
    let scorecards = (0..project.contracts.len())
        .into_par_iter()
        .map(|vendor| scorecard(project, vendor, today))
        .collect();
    Evaluation {
        as_of: project.as_of,
        today,
        period: Period::containing(kind, project.as_of),
        scorecards,
    }
}

fn scorecard(project: &Project, vendor: usize, today: NaiveDate) -> Scorecard {
    let contract = &project.contracts[vendor];
    let kind = project.settings.period;
    let as_of = project.as_of;

    let periods: Vec<Period> = scored_periods(contract, kind, as_of).collect();
    let mut periods = period_results(project, vendor, &periods);
    add_owed_from_earlier(&mut periods);
    let headline = headline_index(&periods, Period::containing(kind, as_of));
    let mut credits_term = CreditTotals::default();
    for period in &periods {
        credits_term.add_all(&period.credits.totals);
    }
    let deliverables =
        contract.deliverables.iter().map(|d| obligations::deliverable(d, today)).collect();
    let evidence = contract
        .data_protection
        .iter()
        .map(|e| obligations::evidence(e, today, project.settings.expiring_days))
        .collect();

    let (actions, reviews) = feedback::actions(project, vendor, today);
    let mut card = Scorecard {
        vendor,
        periods,
        headline,
        credits_term,
        deliverables,
        evidence,
        actions,
        reviews,
        alerts: Vec::new(),
    };
    card.alerts = alerts::alerts(project, contract, &card, today);
    card
}

/// The periods that overlap the term, up to the one holding `as_of`.
fn scored_periods(
    contract: &Contract,
    kind: PeriodKind,
    as_of: NaiveDate,
) -> impl Iterator<Item = Period> {
    let last = contract.term.end.map_or(as_of, |end| end.min(as_of));
    let range =
        (contract.term.start <= last).then(|| Period::range(kind, contract.term.start, last));
    range.into_iter().flatten()
}

fn headline_index(periods: &[PeriodResult], as_of_period: Period) -> Option<usize> {
    periods.iter().position(|p| p.period == as_of_period).or_else(|| periods.len().checked_sub(1))
}

/// Adds each credit owed in a later period than its own to that period. Done once here rather
/// than on every page that shows the period.
fn add_owed_from_earlier(periods: &mut [PeriodResult]) {
    let mut owed: Vec<(Period, Period, rust_decimal::Decimal)> = Vec::new();
    for period in periods.iter() {
        for credit in period.kpis.iter().filter_map(|k| k.credit.as_ref()) {
            if let (Some(owed_in), Some(amount)) = (credit.owed_in, credit.amount) {
                owed.push((period.period, owed_in, amount));
            }
        }
    }
    for (raised, owed_in, amount) in owed {
        if owed_in == raised {
            continue;
        }
        // A credit owed after the last period scored shows in none yet.
        if let Some(result) = periods.iter_mut().find(|p| p.period == owed_in) {
            result.owed_from_earlier += amount;
        }
    }
}

/// Every period's results. KPIs are judged first and credits worked out after, since earn-back
/// looks at the periods that follow a credit.
fn period_results(project: &Project, vendor: usize, periods: &[Period]) -> Vec<PeriodResult> {
    let contract = &project.contracts[vendor];
    let judged: Vec<Vec<KpiResult>> = periods
        .iter()
        .map(|period| {
            (0..contract.kpis.len()).map(|kpi| kpi_result(project, vendor, kpi, *period)).collect()
        })
        .collect();

    let mut results = Vec::with_capacity(periods.len());
    for (index, period) in periods.iter().enumerate() {
        let raised: Vec<Option<Raised>> = contract
            .kpis
            .iter()
            .enumerate()
            .map(|(kpi, rules)| {
                let (percent, tier) = remedies::raised(rules, &judged[index][kpi])?;
                let history: Vec<&KpiResult> = judged.iter().map(|p| &p[kpi]).collect();
                let (state, note, owed_in) =
                    remedies::state(contract, kpi, periods, &history, index, project.as_of);
                Some(Raised { percent, tier, state, note, owed_in })
            })
            .collect();
        let credits = credits::period_credits(
            &raised,
            contract.credit_cap_percent,
            contract.fee.as_ref(),
            billed_months(contract, *period),
        );
        let mut kpis = judged[index].clone();
        for (result, credit) in kpis.iter_mut().zip(&credits.kpis) {
            result.credit.clone_from(credit);
        }

        let score = status::vendor_score(
            contract
                .kpis
                .iter()
                .zip(&kpis)
                .filter_map(|(kpi, result)| result.score.map(|s| (s, kpi.weight))),
        );
        let grade = score.and_then(|score| status::grade(&project.settings.grades, score));
        let surveys = feedback::surveys(project, vendor, *period);
        results.push(PeriodResult {
            period: *period,
            score,
            grade,
            kpis,
            credits,
            owed_from_earlier: rust_decimal::Decimal::ZERO,
            surveys,
        });
    }
    results
}

/// The months of a period that the term covers, at least in part: a fee is billed per month,
/// so a quarter that the term starts or ends in is billed for its months within the term.
pub fn billed_months(contract: &Contract, period: Period) -> u32 {
    let covered = |month: &Period| {
        month.last_day() >= contract.term.start
            && contract.term.end.is_none_or(|end| month.first_day() <= end)
    };
    u32::try_from(period.month_periods().filter(covered).count()).unwrap_or(0)
}

/// Whether the contract's exclusions, together, cover every day of the dates a KPI is measured
/// over: such a period is excluded even if nothing was reported in it.
fn excluded_whole(
    contract: &Contract,
    kpi: usize,
    from: NaiveDate,
    to: NaiveDate,
) -> Option<usize> {
    let first = contract.exclusions.iter().position(|e| e.covers(kpi, from))?;
    let mut day = from;
    while day <= to {
        contract.exclusion(kpi, day)?;
        day = day.succ_opt()?;
    }
    Some(first)
}

fn kpi_result(project: &Project, vendor: usize, kpi_index: usize, period: Period) -> KpiResult {
    let contract = &project.contracts[vendor];
    let kpi = &contract.kpis[kpi_index];
    let not_due = KpiResult {
        status: Status::NotDue,
        actual: None,
        score: None,
        count: 0,
        exclusion: None,
        partly_excluded: None,
        credit: None,
    };
    let Some(months) = measured_months(contract, kpi_index, period) else {
        return not_due;
    };
    let (cell, agreed) = measured_cell(project, vendor, kpi_index, &months);
    let count = cell.count();
    let measured = cell.aggregate(kpi.aggregate).map(|a| round_half_away(a, 6));
    // Before service levels apply nothing is scored, but what was measured is still shown.
    if period.last_day() < contract.service_levels_from {
        return KpiResult { actual: measured, count, ..not_due };
    }
    let excluded = |exclusion| KpiResult {
        status: Status::Excluded,
        actual: measured,
        score: None,
        count,
        exclusion: Some(exclusion),
        partly_excluded: None,
        credit: None,
    };
    let upheld =
        contract.dispute(kpi_index, period).is_some_and(|d| d.status == DisputeStatus::Upheld);
    if upheld {
        return excluded(Exclusion::DisputeUpheld);
    }
    // A period whose every measurement fell in an agreed exclusion is excluded, not missing;
    // so is one that exclusions cover from end to end, even with nothing reported in it.
    if let (None, Some((_, index))) = (measured, agreed) {
        return excluded(Exclusion::Agreed { index });
    }
    // Over the days the cell is measured over.
    let from = months
        .first()
        .map_or(period.first_day(), |m| m.first_day())
        .max(contract.term.start)
        .max(contract.service_levels_from);
    let to = contract.term.end.map_or(period.last_day(), |end| end.min(period.last_day()));
    if measured.is_none()
        && let Some(index) = excluded_whole(contract, kpi_index, from, to)
    {
        return excluded(Exclusion::Agreed { index });
    }

    let partly = agreed.map(|(left_out, index)| {
        let small = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        (small(left_out), small(index as u64))
    });
    let Some(actual) = measured else {
        let score = (kpi.when_missing == WhenMissing::Breach).then_some(0.0);
        return KpiResult { status: Status::Missing, score, ..not_due };
    };
    if let Some(min) = kpi.min_count.filter(|min| count < *min) {
        let exclusion = Some(Exclusion::TooFew { min });
        return KpiResult {
            status: Status::Excluded,
            actual: Some(actual),
            count,
            exclusion,
            partly_excluded: partly,
            ..not_due
        };
    }
    let (status, score) = status::judge(kpi, actual);
    KpiResult {
        status,
        actual: Some(actual),
        score: Some(score),
        count,
        exclusion: None,
        partly_excluded: partly,
        credit: None,
    }
}

/// The months a KPI's result in `period` is measured over; `None` when it has none then. A
/// quarterly KPI in a monthly site is measured over its quarter's months in the term in which
/// service levels apply, in the month that measures the quarter.
fn measured_months(contract: &Contract, kpi: usize, period: Period) -> Option<Vec<Period>> {
    if period.kind() == PeriodKind::Quarter || contract.kpis[kpi].measured == Measured::Monthly {
        return Some(vec![period]);
    }
    if contract.term.measuring_month(period) != period {
        return None;
    }
    let in_term = |month: &Period| contract.term.end.is_none_or(|end| month.first_day() <= end);
    let due = |month: &Period| month.last_day() >= contract.service_levels_from;
    Some(period.quarter().month_periods().filter(in_term).filter(due).collect())
}

/// The measurements of `months` together; and how many agreed exclusions removed, with the
/// first exclusion that removed any.
fn measured_cell(
    project: &Project,
    vendor: usize,
    kpi: usize,
    months: &[Period],
) -> (Cell, Option<(u64, usize)>) {
    let cells = &project.measurements;
    let mut merged = Cell::default();
    let mut excluded: Option<(u64, usize)> = None;
    for &month in months {
        if let Some(cell) = cells.cell(vendor, kpi, month) {
            merged.merge(cell);
        }
        let key = crate::model::CellKey { vendor, kpi, period: month };
        if let Some(&(count, index)) = cells.excluded.get(&key) {
            excluded = Some(
                excluded.map_or((count, index), |(all, first)| (all + count, first.min(index))),
            );
        }
    }
    (merged, excluded)
}

/// The KPI's results in the periods it was due, newest first, from the period at `upto` back.
pub fn due_history(card: &Scorecard, kpi: usize, upto: usize) -> impl Iterator<Item = &KpiResult> {
    card.periods[..=upto]
        .iter()
        .rev()
        .map(move |p| &p.kpis[kpi])
        .filter(|k| k.status != Status::NotDue)
}
