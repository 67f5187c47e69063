//! The remedies on a vendor page, in words a finance team can check line by line: every credit
//! raised with its measured value, tier, percent before and after the cap, amount, state and
//! why; the disputes with the vendor's text; the agreed exclusions with their reason.

use serde::Serialize;

use crate::evaluate::credits::{Credit, CreditState, CreditTotals};
use crate::evaluate::periods::Period;
use crate::evaluate::remedies::StateNote;
use crate::evaluate::{Exclusion, KpiResult, Scorecard, billed_months};
use crate::model::{Better, Contract, CreditRule, DisputeStatus, Fee, Kpi, Measured};
use crate::render::format;

#[derive(Debug, Serialize)]
pub struct CreditRow {
    period: String,
    kpi: String,
    measured: String,
    tier: String,
    before_cap: String,
    after_cap: String,
    amount: String,
    state: &'static str,
    state_label: &'static str,
    why: String,
}

#[derive(Debug, Serialize)]
pub struct DisputeView {
    kpi: String,
    period: String,
    raised: String,
    status: &'static str,
    text: String,
}

#[derive(Debug, Serialize)]
pub struct ExclusionView {
    kpi: String,
    from: String,
    to: String,
    reason: String,
}

/// Money split by state, for the headline and the term.
#[derive(Debug, Serialize)]
pub struct MoneyByState {
    owed: String,
    pending: String,
    earned_back: String,
    disputed: String,
    /// Whether anything is pending, earned back or disputed, so the split is worth showing.
    split: bool,
}

pub fn money_by_state(totals: &CreditTotals, fee: &Fee) -> MoneyByState {
    MoneyByState {
        owed: format::money(totals.owed, fee),
        pending: format::money(totals.pending, fee),
        earned_back: format::money(totals.earned_back, fee),
        disputed: format::money(totals.disputed, fee),
        split: !(totals.pending.is_zero()
            && totals.earned_back.is_zero()
            && totals.disputed.is_zero()),
    }
}

pub fn state_label(state: CreditState) -> &'static str {
    match state {
        CreditState::Owed => "Owed",
        CreditState::Pending => "Pending",
        CreditState::EarnedBack => "Earned back",
        CreditState::Disputed => "Disputed",
    }
}

/// Every credit raised over the term, newest period first.
pub fn credit_rows(contract: &Contract, card: &Scorecard) -> Vec<CreditRow> {
    let currency = contract.fee.as_ref().map(|f| f.currency.as_str());
    let mut rows = Vec::new();
    for period in card.periods.iter().rev() {
        for (kpi, result) in contract.kpis.iter().zip(&period.kpis) {
            let Some(credit) = &result.credit else { continue };
            rows.push(CreditRow {
                period: period.period.to_string(),
                kpi: kpi.name.clone(),
                measured: result
                    .actual
                    .map_or_else(|| "no value".to_owned(), |a| format::actual(a, kpi, currency)),
                tier: tier_text(kpi, credit, currency),
                before_cap: format::percent(credit.percent_before_cap),
                // Exact, so that the amount can be worked out from it and the fee.
                after_cap: format::exact_percent(credit.percent),
                amount: match (contract.fee.as_ref(), credit.amount) {
                    (Some(fee), Some(amount)) => format::money(amount, fee),
                    _ => "—".to_owned(),
                },
                state: credit.state.name(),
                state_label: state_label(credit.state),
                why: why(contract, kpi, result, credit, period.period),
            });
        }
    }
    rows
}

fn tier_text(kpi: &Kpi, credit: &Credit, currency: Option<&str>) -> String {
    let (CreditRule::Tiers(tiers), Some(index)) = (&kpi.credit, credit.tier) else {
        return "—".to_owned();
    };
    let word = if kpi.better == Better::Higher { "below" } else { "above" };
    format!("{word} {}", format::measure(tiers[index as usize].worse_than, kpi.unit, currency))
}

/// Why a credit was raised, on what part of the fee, and why it is in its state.
fn why(
    contract: &Contract,
    kpi: &Kpi,
    result: &KpiResult,
    credit: &Credit,
    period: Period,
) -> String {
    let raised = match result.status {
        crate::evaluate::status::Status::Missing => "no value reported".to_owned(),
        crate::evaluate::status::Status::Breach => "in breach".to_owned(),
        _ => "tier crossed".to_owned(),
    };
    let capped = if credit.capped {
        format!(
            "; scaled down to the cap of {}",
            contract.credit_cap_percent.map_or_else(String::new, format::percent)
        )
    } else {
        String::new()
    };
    // A quarter the term starts or ends in is billed for its months in the term only, which a
    // reader working the amount out from the monthly fee needs to know.
    let billed = billed_months(contract, period);
    let part = if billed < period.months() {
        format!(
            "; on the fee of {billed} of the quarter's {} months, those in the term",
            period.months()
        )
    } else {
        String::new()
    };
    // A quarterly KPI in a monthly site earns back over quarters, not months.
    let periods = if kpi.measured == Measured::Quarterly && period.months() == 1 {
        "quarters"
    } else {
        "periods"
    };
    let state = match credit.note {
        StateNote::Owed => String::new(),
        StateNote::MissedIn(period) => {
            format!("; not earned back: {} not met in {period}", kpi.name)
        }
        StateNote::TermEnds => {
            format!("; not earned back: the term ends before the earn-back {periods} can pass")
        }
        StateNote::Earning { met, needed } => {
            format!("; met in {met} of the next {needed} {periods} so far")
        }
        StateNote::EarnedBack { through } => {
            format!("; met in each earn-back {}, through {through}", periods.trim_end_matches('s'))
        }
        StateNote::Disputed { raised } => {
            format!("; disputed by the vendor on {}, not owed until decided", format::date(raised))
        }
    };
    format!("{raised}{part}{capped}{state}")
}

pub fn disputes(contract: &Contract) -> Vec<DisputeView> {
    contract
        .disputes
        .iter()
        .map(|dispute| DisputeView {
            kpi: contract.kpis[dispute.kpi].name.clone(),
            period: dispute.period.to_string(),
            raised: format::date(dispute.raised),
            status: dispute.status.name(),
            text: dispute.text.clone(),
        })
        .collect()
}

pub fn exclusions(contract: &Contract) -> Vec<ExclusionView> {
    contract
        .exclusions
        .iter()
        .map(|exclusion| ExclusionView {
            kpi: exclusion
                .kpi
                .map_or_else(|| "every KPI".to_owned(), |k| contract.kpis[k].name.clone()),
            from: format::date(exclusion.from),
            to: format::date(exclusion.to),
            reason: exclusion.reason.clone(),
        })
        .collect()
}

/// The note beside a KPI's period about remedies: why it is excluded, or its dispute.
pub fn period_note(
    contract: &Contract,
    kpi: usize,
    result: &KpiResult,
    period: crate::evaluate::periods::Period,
) -> Option<String> {
    match result.exclusion {
        Some(Exclusion::Agreed { index }) => {
            return Some(format!("excluded: {}", contract.exclusions[index].reason));
        }
        Some(Exclusion::DisputeUpheld) => {
            let text = contract.dispute(kpi, period).map_or("", |d| d.text.as_str());
            return Some(format!("excluded: dispute upheld ({text})"));
        }
        _ => {}
    }
    let dispute = contract.dispute(kpi, period)?;
    let status = match dispute.status {
        DisputeStatus::Open => "disputed, open",
        DisputeStatus::Rejected => "disputed, rejected",
        DisputeStatus::Upheld => "disputed, upheld",
    };
    Some(format!("{status}: {}", dispute.text))
}
