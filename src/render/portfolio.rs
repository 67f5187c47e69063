//! The portfolio page: every vendor, worst score first, with grade, trend, credits and alerts;
//! and the same for each period, at an address that never changes.

use std::collections::BTreeMap;

use serde::Serialize;
use tera::Context;

use crate::diagnostics::{Diagnostic, plural};
use crate::evaluate::alerts::Severity;
use crate::evaluate::credits::CreditTotals;
use crate::evaluate::periods::Period;
use crate::evaluate::{Evaluation, PeriodResult, Scorecard};
use crate::model::{Fee, Project};
use crate::render::pages::{credits_amount, grade_class, grade_name, site};
use crate::render::templates::Templates;
use crate::render::{charts, format};

#[derive(Debug, Serialize)]
struct VendorRow {
    id: String,
    name: String,
    service: Option<String>,
    /// For a term that ended before the period shown: when, since the row has no figures of
    /// that period.
    ended: Option<String>,
    href: String,
    score: String,
    grade: String,
    grade_class: &'static str,
    trend: String,
    credits: String,
    pending: Option<String>,
    disputed: Option<String>,
    /// Of what became owed in the period shown, credits raised in earlier periods.
    earlier: Option<String>,
    /// Owed over the term so far, on the portfolio of the headline period.
    term_owed: Option<String>,
    /// `None` on a period's page: alerts are judged against today, not that period.
    alerts: Option<usize>,
    high_alerts: usize,
}

#[derive(Debug, Serialize)]
struct Total {
    currency: String,
    owed: String,
    /// Whether anything is owed, rather than only pending.
    owes: bool,
    pending: Option<String>,
    /// Of what became owed in the period shown, credits raised in earlier periods.
    earlier: Option<String>,
    /// Owed over the terms so far, on the portfolio of the headline period.
    term_owed: Option<String>,
}

#[derive(Debug, Serialize)]
struct PeriodLink {
    label: String,
    href: String,
}

/// Every period any vendor was scored in, newest first.
pub fn periods(evaluation: &Evaluation) -> Vec<Period> {
    let mut all: Vec<Period> =
        evaluation.scorecards.iter().flat_map(|c| c.periods.iter().map(|p| p.period)).collect();
    all.sort_unstable();
    all.dedup();
    all.reverse();
    all
}

/// The portfolio of the headline period (`at` is `None`), or of period `at`.
pub fn portfolio(
    project: &Project,
    evaluation: &Evaluation,
    templates: &Templates,
    at: Option<Period>,
) -> Result<String, Diagnostic> {
    let path = at.map_or_else(String::new, |p| format!("periods/{p}/"));
    let root = if at.is_some() { "../../" } else { "" };
    let shown_period = at.unwrap_or(evaluation.period);
    // The period shown: a term that ended before it has no figures there, and its last
    // period's credits are not this period's.
    let chosen = |card: &'_ Scorecard| -> Option<usize> {
        card.periods.iter().position(|p| p.period == shown_period)
    };

    let mut rows: Vec<(Option<f64>, VendorRow)> = evaluation
        .scorecards
        .iter()
        .filter_map(|card| {
            let index = chosen(card);
            // A period's page lists the vendors whose term covered it.
            if at.is_some() && index.is_none() {
                return None;
            }
            let result = index.map(|i| &card.periods[i]);
            Some(row(project, card, result, index, root, at.is_some()))
        })
        .collect();
    // Worst first; vendors without a score last, since nothing is known of them yet.
    rows.sort_by(|(a, ra), (b, rb)| match (a, b) {
        (Some(a), Some(b)) => a.total_cmp(b).then_with(|| ra.id.cmp(&rb.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => ra.id.cmp(&rb.id),
    });

    let totals = totals(project, evaluation, shown_period, at.is_none());
    let periods: Vec<PeriodLink> = periods(evaluation)
        .into_iter()
        .map(|p| PeriodLink { label: p.to_string(), href: format!("{root}periods/{p}/index.html") })
        .collect();
    let graded = rows.iter().filter(|(score, _)| score.is_some()).count();
    let owed: Vec<String> = totals.iter().filter(|t| t.owes).map(|t| t.owed.clone()).collect();
    let vendor_count = plural(rows.len(), "vendor");
    let description = format!(
        "{vendor_count} in {shown_period}, {graded} graded; credits owed {}",
        if owed.is_empty() { "none".to_owned() } else { owed.join(", ") }
    );
    let page_title = match at {
        Some(period) => format!("{} · {period}", project.settings.title),
        None => project.settings.title.clone(),
    };

    let mut context = Context::new();
    context.insert("site", &site(project, evaluation, &path, page_title, description));
    context.insert("vendors", &rows.into_iter().map(|(_, row)| row).collect::<Vec<_>>());
    let pending: Vec<String> = totals.iter().filter_map(|t| t.pending.clone()).collect();
    let earlier: Vec<String> = totals.iter().filter_map(|t| t.earlier.clone()).collect();
    let term_owed: Vec<String> = totals.iter().filter_map(|t| t.term_owed.clone()).collect();
    context.insert("owed_totals", &owed);
    context.insert("pending_totals", &pending);
    context.insert("earlier_totals", &earlier);
    context.insert("term_owed_totals", &term_owed);
    context.insert("vendor_count", &vendor_count);
    context.insert("shown_period", &shown_period.to_string());
    context.insert("as_of_period", &at.is_none());
    context.insert("periods", &periods);
    templates.render("portfolio.html", &context)
}

fn row(
    project: &Project,
    card: &Scorecard,
    result: Option<&PeriodResult>,
    index: Option<usize>,
    root: &str,
    past: bool,
) -> (Option<f64>, VendorRow) {
    let contract = &project.contracts[card.vendor];
    let score = result.and_then(|p| p.score);
    let grade = result.and_then(|p| p.grade);
    // Up to the period shown; a term that ended before it, all of it.
    let upto = index.map_or(card.periods.len(), |i| i + 1);
    let scores: Vec<Option<f64>> = card.periods[..upto].iter().map(|p| p.score).collect();
    // The title carries the figures, so the trend reads the same without the picture.
    let figures: Vec<String> = card.periods[..upto]
        .iter()
        .map(|p| format!("{} {}", p.period, format::score(p.score)))
        .collect();
    let trend_title = format!(
        "Score per period of {}: {}",
        contract.name,
        if figures.is_empty() { "none yet".to_owned() } else { figures.join(", ") }
    );
    let money = |amount: fn(&CreditTotals) -> rust_decimal::Decimal| {
        contract
            .fee
            .as_ref()
            .zip(result)
            .map(|(fee, p)| (fee, amount(&p.credits.totals)))
            .filter(|(_, a)| !a.is_zero())
            .map(|(fee, a)| format::money(a, fee))
    };
    let anchor = result.filter(|_| past).map_or_else(String::new, |p| format!("#{}", p.period));
    let row = VendorRow {
        id: contract.id.clone(),
        name: contract.name.clone(),
        service: contract.service.clone(),
        ended: contract
            .term
            .end
            .filter(|_| result.is_none() && !card.periods.is_empty())
            .map(|end| format!("term ended {}", format::date(end))),
        href: format!("{root}vendors/{}/index.html{anchor}", contract.id),
        score: format::score(score),
        grade: grade_name(project, grade),
        grade_class: grade_class(project, grade),
        trend: charts::sparkline(&format!("trend-{}", contract.id), &trend_title, &scores),
        credits: credits_amount(contract, result),
        pending: money(|t| t.pending),
        disputed: money(|t| t.disputed),
        earlier: contract
            .fee
            .as_ref()
            .zip(result)
            .map(|(fee, p)| (fee, p.owed_from_earlier))
            .filter(|(_, amount)| !amount.is_zero())
            .map(|(fee, amount)| format::money(amount, fee)),
        term_owed: contract
            .fee
            .as_ref()
            .filter(|_| !past && !card.credits_term.owed.is_zero())
            .map(|fee| format::money(card.credits_term.owed, fee)),
        alerts: (!past).then_some(card.alerts.len()),
        high_alerts: card.alerts.iter().filter(|a| a.severity == Severity::High).count(),
    };
    (score, row)
}

/// Per currency, for the period shown: what became owed in it (of which, credits of earlier
/// periods) and its own credits pending; on the headline period's portfolio, what is owed over
/// the terms too. Money is never converted.
fn totals(project: &Project, evaluation: &Evaluation, shown: Period, headline: bool) -> Vec<Total> {
    #[derive(Default)]
    struct Sums {
        owed: rust_decimal::Decimal,
        pending: rust_decimal::Decimal,
        earlier: rust_decimal::Decimal,
        term_owed: rust_decimal::Decimal,
    }
    let mut totals: BTreeMap<String, (Sums, &Fee)> = BTreeMap::new();
    for card in &evaluation.scorecards {
        let contract = &project.contracts[card.vendor];
        let Some(fee) = contract.fee.as_ref() else { continue };
        let (sums, _) = totals.entry(fee.currency.clone()).or_insert((Sums::default(), fee));
        if let Some(result) = card.period(shown) {
            sums.owed += result.owed_for_period();
            sums.pending += result.credits.totals.pending;
            sums.earlier += result.owed_from_earlier;
        }
        if headline {
            sums.term_owed += card.credits_term.owed;
        }
    }
    let shown_if = |amount: rust_decimal::Decimal, fee: &Fee| {
        (!amount.is_zero()).then(|| format::money(amount, fee))
    };
    totals
        .into_iter()
        .filter(|(_, (sums, _))| {
            !(sums.owed.is_zero() && sums.pending.is_zero() && sums.term_owed.is_zero())
        })
        .map(|(currency, (sums, fee))| Total {
            currency,
            owed: format::money(sums.owed, fee),
            owes: !sums.owed.is_zero(),
            pending: shown_if(sums.pending, fee),
            earlier: shown_if(sums.earlier, fee),
            term_owed: shown_if(sums.term_owed, fee),
        })
        .collect()
}
