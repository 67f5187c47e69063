//! What a failing KPI owes, and what becomes of the credit: the tier crossed, an open dispute,
//! and earn-back by meeting the KPI in the periods that follow.

use rust_decimal::Decimal;

use crate::evaluate::KpiResult;
use crate::evaluate::credits::CreditState;
use crate::evaluate::periods::{Period, PeriodKind};
use crate::evaluate::status::Status;
use crate::model::{Better, Contract, CreditRule, DisputeStatus, Kpi, Measured, WhenMissing};

/// Why a credit is in its state, for the page a finance team checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateNote {
    /// Owed, with no earn-back in the contract.
    Owed,
    /// Owed: the KPI was not met in this period of the earn-back window.
    MissedIn(Period),
    /// Owed: the term ends before the earn-back window can close.
    TermEnds,
    /// Pending: met in `met` of the `needed` periods so far.
    Earning { met: u32, needed: u32 },
    /// Waived: met in each period of the window, the last being `through`.
    EarnedBack { through: Period },
    /// Contested by the vendor since `raised`, not owed until decided.
    Disputed { raised: chrono::NaiveDate },
}

/// The percent a KPI raises in a period, and the tier crossed when the rule has tiers.
///
/// A breach owes a flat `credit_percent`; with tiers, the largest percent of the tiers the
/// actual is worse than is owed, whatever the status. A missing period owes the largest
/// percent, unless the KPI skips missing periods; excluded and not-due periods owe nothing.
pub fn raised(kpi: &Kpi, result: &KpiResult) -> Option<(Decimal, Option<usize>)> {
    match result.status {
        Status::NotDue | Status::Excluded => None,
        Status::Missing if kpi.when_missing == WhenMissing::Skip => None,
        Status::Missing => {
            let tier = match &kpi.credit {
                CreditRule::Tiers(tiers) => {
                    tiers.iter().enumerate().max_by_key(|(_, t)| t.percent).map(|(i, _)| i)
                }
                _ => None,
            };
            kpi.credit.largest().map(|percent| (percent, tier))
        }
        Status::Met | Status::AtRisk | Status::Breach => match &kpi.credit {
            CreditRule::None => None,
            CreditRule::Flat(percent) => {
                (result.status == Status::Breach).then_some((*percent, None))
            }
            CreditRule::Tiers(tiers) => {
                let actual = result.actual?;
                let crossed = |worse_than: f64| match kpi.better {
                    Better::Higher => actual < worse_than,
                    Better::Lower => actual > worse_than,
                };
                tiers
                    .iter()
                    .enumerate()
                    .filter(|(_, tier)| crossed(tier.worse_than))
                    .max_by(|(a, x), (b, y)| x.percent.cmp(&y.percent).then(a.cmp(b)))
                    .map(|(index, tier)| (tier.percent, Some(index)))
            }
        },
    }
}

/// The state of a credit raised by KPI `kpi` in the period at `index`, and for an owed one the
/// period it became owed in.
///
/// An open dispute wins. With earn-back, the credit is pending until the KPI's next N scored
/// periods (excluded and not-due ones are passed over) have been seen; met in each, it is
/// waived, otherwise owed; it is owed too when the term ends before the window can close. A
/// rejected dispute held the credit until it was decided (or, with no date given, raised), so
/// it is owed from then at the earliest.
pub fn state(
    contract: &Contract,
    kpi: usize,
    periods: &[Period],
    results: &[&KpiResult],
    index: usize,
    as_of: chrono::NaiveDate,
) -> (CreditState, StateNote, Option<Period>) {
    let raised_in = periods[index];
    let dispute = contract.dispute(kpi, raised_in);
    if let Some(dispute) = dispute.filter(|d| d.status == DisputeStatus::Open) {
        return (CreditState::Disputed, StateNote::Disputed { raised: dispute.raised }, None);
    }
    let held_until = dispute
        .filter(|d| d.status == DisputeStatus::Rejected)
        .map(|d| Period::containing(raised_in.kind(), d.decided.unwrap_or(d.raised)));
    // Counted at the latest in the last period scored: a dispute of a term's last period is
    // rejected after the term has ended, and one may be decided after `as_of`; the credit must
    // still be owed in some period.
    let last = periods.last().copied().unwrap_or(raised_in);
    let owed = |note: StateNote, period: Period| {
        let from = held_until.map_or(period, |held| held.max(period));
        (CreditState::Owed, note, Some(from.min(last)))
    };
    let Some(needed) = contract.earn_back_periods else {
        return owed(StateNote::Owed, raised_in);
    };

    let mut met = 0;
    // A period that has not ended by `as_of` has not passed: it decides nothing yet, so that a
    // later build never takes back a waiver granted on a few days of figures.
    let mut unfinished = 0;
    for (period, result) in periods.iter().zip(results).skip(index + 1) {
        if period.last_day() > as_of {
            unfinished += u32::from(result.status != Status::NotDue);
            continue;
        }
        if result.score.is_none() {
            continue;
        }
        if result.status != Status::Met {
            return owed(StateNote::MissedIn(*period), *period);
        }
        met += 1;
        if met == needed {
            return (CreditState::EarnedBack, StateNote::EarnedBack { through: *period }, None);
        }
    }
    let still_to_come = periods_left(contract, kpi, periods.last().copied(), as_of);
    if let Some(beyond) = still_to_come.filter(|left| met + unfinished + left < needed) {
        let decided = term_found_too_short(periods, results, index, needed, beyond);
        return owed(StateNote::TermEnds, decided);
    }
    (CreditState::Pending, StateNote::Earning { met, needed }, None)
}

/// The first period, from the credit's own on, after which the periods met and those still to
/// come fell short of `needed`: when it became certain that the term ends before the credit
/// can be earned back. `beyond` is how many due periods the term has after the last of
/// `periods`. Every scored period after the credit was met, or it would be owed for a miss.
fn term_found_too_short(
    periods: &[Period],
    results: &[&KpiResult],
    index: usize,
    needed: u32,
    beyond: u32,
) -> Period {
    let due_after = |from: usize| {
        let due = results[from..].iter().filter(|r| r.status != Status::NotDue).count();
        u32::try_from(due).unwrap_or(u32::MAX).saturating_add(beyond)
    };
    let mut met = 0;
    for at in index..periods.len() {
        if at > index && results[at].status == Status::Met && results[at].score.is_some() {
            met += 1;
        }
        if met + due_after(at + 1) < needed {
            return periods[at];
        }
    }
    periods.last().copied().unwrap_or(periods[index])
}

/// How many more periods the KPI will be due in before the term ends; `None` for an open term.
fn periods_left(
    contract: &Contract,
    kpi: usize,
    last: Option<Period>,
    as_of: chrono::NaiveDate,
) -> Option<u32> {
    let end = contract.term.end?;
    let Some(last) = last else { return Some(0) };
    if end <= as_of {
        return Some(0);
    }
    let quarterly =
        contract.kpis[kpi].measured == Measured::Quarterly && last.kind() == PeriodKind::Month;
    let mut count = 0;
    let mut period = last.next();
    while period.first_day() <= end {
        let due = !quarterly || contract.term.measuring_month(period) == period;
        if due {
            count += 1;
        }
        period = period.next();
    }
    Some(count)
}
