//! The HTML pages: what each template is given, worked out from the scorecards, with every
//! number already formatted so that templates only place text.

use serde::Serialize;
use tera::Context;

use crate::diagnostics::{Diagnostic, plural};
use crate::evaluate::obligations::{DeliverableStatus, EvidenceStatus};
use crate::evaluate::periods::{Period, PeriodKind};
use crate::evaluate::status::Status;
use crate::evaluate::{Evaluation, Exclusion, KpiResult, PeriodResult, Scorecard};
use crate::model::{Better, Contract, CreditRule, Grade, Kpi, Measured, Project, WhenMissing};
use crate::render::charts::{self, KpiChart, Point};
use crate::render::feedback::{self, ActionView, FeedbackView, ReviewsView};
use crate::render::format;
use crate::render::messages::alert_message;
use crate::render::remedies::{self, CreditRow, DisputeView, ExclusionView, MoneyByState};
use crate::render::templates::Templates;

#[derive(Debug, Serialize)]
pub(crate) struct Site<'a> {
    title: &'a str,
    organisation: Option<&'a str>,
    as_of: String,
    today: String,
    period: String,
    /// Relative path from the page to the site's root, ending in `/` (empty at the root).
    root: &'a str,
    /// The page's absolute address, when the site's base URL is known.
    canonical: Option<String>,
    /// The page's title and one-line description, for link previews.
    page_title: String,
    description: String,
    /// What each grade takes, so that a reader can tell how far a vendor is from the next.
    grades: String,
    /// Whether the site has a portfolio page to link back to.
    pub(crate) portfolio: bool,
}

#[derive(Debug, Serialize)]
struct AlertView {
    severity: &'static str,
    kind: &'static str,
    message: String,
}

#[derive(Debug, Serialize)]
struct KpiView {
    id: String,
    name: String,
    unit: &'static str,
    rule: String,
    has_tolerance: bool,
    weight: String,
    aggregate: &'static str,
    credit: Option<String>,
    chart: String,
    status: &'static str,
    status_label: &'static str,
    actual: String,
    /// The quarter the heading's status is of, when it is not the headline period's: a
    /// quarterly KPI in a month it is not measured shows its last measured quarter.
    measured_in: Option<String>,
    rows: Vec<KpiRow>,
    actions: Vec<ActionView>,
}

#[derive(Debug, Serialize)]
struct KpiRow {
    period: String,
    actual: String,
    count: u64,
    status: &'static str,
    status_label: &'static str,
    score: String,
    credit: String,
    note: String,
}

#[derive(Debug, Serialize)]
struct PeriodRow {
    label: String,
    score: String,
    grade: String,
    grade_class: &'static str,
    credits: String,
    cells: Vec<PeriodCell>,
}

#[derive(Debug, Serialize)]
struct PeriodCell {
    status: &'static str,
    status_label: &'static str,
    actual: String,
}

#[derive(Debug, Serialize)]
struct DeliverableView {
    id: String,
    name: String,
    due: String,
    delivered: String,
    status: &'static str,
    status_label: &'static str,
    days_late: String,
}

#[derive(Debug, Serialize)]
struct EvidenceView {
    id: String,
    clause: String,
    evidence: String,
    verified: String,
    expires: String,
    status: &'static str,
    status_label: &'static str,
}

#[derive(Debug, Serialize)]
struct Headline {
    period: String,
    score: String,
    grade: String,
    grade_class: &'static str,
    consequence: Option<String>,
    credits_percent: String,
    /// What the period's credits came to before the cap, when the cap bound.
    credits_raised: Option<String>,
    credits_cap: Option<String>,
    credits_amount: Option<String>,
    /// Of it, credits of earlier periods that became owed in this one.
    credits_earlier: Option<String>,
    credits_term: Option<String>,
    /// This period's credits by state, and the term's.
    money: Option<MoneyByState>,
    money_term: Option<MoneyByState>,
}

#[derive(Debug, Serialize)]
struct VendorPage {
    id: String,
    name: String,
    service: Option<String>,
    term: String,
    fee: Option<String>,
    headline: Headline,
    alerts: Vec<AlertView>,
    kpis: Vec<KpiView>,
    kpi_names: Vec<String>,
    periods: Vec<PeriodRow>,
    deliverables: Vec<DeliverableView>,
    evidence: Vec<EvidenceView>,
    feedback: Option<FeedbackView>,
    reviews: ReviewsView,
    credits: Vec<CreditRow>,
    disputes: Vec<DisputeView>,
    exclusions: Vec<ExclusionView>,
    earn_back: Option<String>,
}

pub(crate) fn status_label(status: Status) -> &'static str {
    match status {
        Status::Met => "✓ Met",
        Status::AtRisk => "! At risk",
        Status::Breach => "✗ Breach",
        Status::Missing => "? Missing",
        Status::Excluded => "– Excluded",
        Status::NotDue => "· Not due",
    }
}

/// What every page shows of the site; `path` is the page's folder below the root (`""`,
/// `vendors/acme/`), from which its relative root and absolute address follow.
pub(crate) fn site<'a>(
    project: &'a Project,
    evaluation: &Evaluation,
    path: &str,
    page_title: String,
    description: String,
) -> Site<'a> {
    let depth = path.matches('/').count();
    Site {
        title: &project.settings.title,
        organisation: project.settings.organisation.as_deref(),
        as_of: format::date(evaluation.as_of),
        today: format::date(evaluation.today),
        period: evaluation.period.to_string(),
        root: ["", "../", "../../", "../../../"][depth.min(3)],
        canonical: project.settings.base_url.as_ref().map(|base| format!("{base}{path}")),
        page_title,
        description,
        grades: grade_legend(&project.settings.grades),
        portfolio: true,
    }
}

/// The grades in words, best first: `A from 90 · B from 75 · C from 60 · D below 60`, each with
/// the consequence the settings give it.
fn grade_legend(grades: &[Grade]) -> String {
    let mut above = None;
    let mut parts = Vec::with_capacity(grades.len());
    for grade in grades {
        let reach = match above {
            _ if grade.min > 0.0 => format!("from {}", grade.min),
            Some(above) => format!("below {above}"),
            None => "at any score".to_owned(),
        };
        parts.push(match &grade.consequence {
            Some(consequence) => format!("{} {reach} ({consequence})", grade.grade),
            None => format!("{} {reach}", grade.grade),
        });
        above = Some(grade.min);
    }
    parts.join(" · ")
}

pub(crate) fn grade_name(project: &Project, grade: Option<usize>) -> String {
    grade.map_or_else(|| "—".to_owned(), |g| project.settings.grades[g].grade.clone())
}

/// A class for the grade's colour by what it means, whatever the grades are called: the first
/// is the best, the last the worst, the one before the last a warning.
pub(crate) fn grade_class(project: &Project, grade: Option<usize>) -> &'static str {
    let last = project.settings.grades.len().saturating_sub(1);
    match grade {
        None => "grade-none",
        Some(0) => "grade-best",
        Some(g) if g == last => "grade-worst",
        Some(g) if g + 1 == last => "grade-low",
        Some(_) => "grade-mid",
    }
}

/// What became owed in a period (its own credits owed outright, and earlier ones owed in it);
/// with no fee, the percent of its own credits.
pub(crate) fn credits_amount(contract: &Contract, period: Option<&PeriodResult>) -> String {
    match (contract.fee.as_ref(), period) {
        (Some(fee), Some(period)) => format::money(period.owed_for_period(), fee),
        (None, Some(period)) if !period.credits.percent.is_zero() => {
            format::percent(period.credits.percent)
        }
        _ => "—".to_owned(),
    }
}

/// A period's credits after the cap, and their split by state when not all are owed.
fn period_credits_text(contract: &Contract, period: &PeriodResult) -> String {
    let Some(fee) = contract.fee.as_ref() else {
        return credits_amount(contract, Some(period));
    };
    let credits = &period.credits;
    let total = format::money(credits.amount.unwrap_or_default(), fee);
    let totals = &credits.totals;
    let parts: Vec<String> = [
        ("pending", totals.pending),
        ("earned back", totals.earned_back),
        ("disputed", totals.disputed),
    ]
    .into_iter()
    .filter(|(_, amount)| !amount.is_zero())
    .map(|(state, amount)| format!("{} {state}", format::money(amount, fee)))
    .collect();
    if parts.is_empty() { total } else { format!("{total} ({})", parts.join(", ")) }
}

/// One vendor's scorecard page.
pub fn vendor(
    project: &Project,
    evaluation: &Evaluation,
    card: &Scorecard,
    templates: &Templates,
    path: &str,
) -> Result<String, Diagnostic> {
    let contract = &project.contracts[card.vendor];
    // A vendor's own site is the one at the root of its folder.
    let own_site = path.is_empty();
    let page = vendor_page(project, evaluation, card, contract, own_site);
    let headline = card.headline();
    let description = match headline {
        Some(p) => format!(
            "Grade {}, score {} in {}; credits owed {}; {}",
            grade_name(project, p.grade),
            format::score(p.score),
            p.period,
            credits_amount(contract, Some(p)),
            crate::diagnostics::plural(card.alerts.len(), "alert")
        ),
        None => "No period scored yet".to_owned(),
    };
    let mut context = Context::new();
    let mut site = site(
        project,
        evaluation,
        path,
        format!("{} · {}", contract.name, project.settings.title),
        description,
    );
    // A vendor's own site has no portfolio to go back to.
    site.portfolio = !own_site;
    context.insert("site", &site);
    context.insert("vendor", &page);
    templates.render("vendor.html", &context)
}

/// `own_site`: the page is the vendor's own site, sent to the vendor.
fn vendor_page(
    project: &Project,
    evaluation: &Evaluation,
    card: &Scorecard,
    contract: &Contract,
    own_site: bool,
) -> VendorPage {
    let headline = card.headline();
    let grade = headline.and_then(|p| p.grade);
    let fee = contract.fee.as_ref();
    let term = match contract.term.end {
        Some(end) => format!("{} to {}", format::date(contract.term.start), format::date(end)),
        None => format!("from {}, open-ended", format::date(contract.term.start)),
    };

    let headline_view = Headline {
        period: headline.map_or_else(|| "no period yet".to_owned(), |p| p.period.to_string()),
        score: format::score(headline.and_then(|p| p.score)),
        grade: grade_name(project, grade),
        grade_class: grade_class(project, grade),
        // What a grade calls for (a corrective plan) is moot once the term has ended.
        consequence: grade
            .filter(|_| contract.term.end.is_none_or(|end| end >= evaluation.today))
            .and_then(|g| project.settings.grades[g].consequence.clone()),
        credits_percent: headline
            .map_or_else(|| "—".to_owned(), |p| format::percent(p.credits.percent)),
        credits_raised: headline.and_then(|p| {
            let raised: rust_decimal::Decimal =
                p.credits.kpis.iter().flatten().map(|c| c.percent_before_cap).sum();
            (raised > p.credits.percent).then(|| format::percent(raised))
        }),
        credits_cap: contract.credit_cap_percent.map(format::percent),
        credits_amount: fee.zip(headline).map(|(fee, p)| format::money(p.owed_for_period(), fee)),
        credits_earlier: fee
            .zip(headline)
            .filter(|(_, p)| !p.owed_from_earlier.is_zero())
            .map(|(fee, p)| format::money(p.owed_from_earlier, fee)),
        credits_term: fee.map(|fee| format::money(card.credits_term.owed, fee)),
        money: fee.zip(headline).map(|(fee, p)| remedies::money_by_state(&p.credits.totals, fee)),
        money_term: fee.map(|fee| remedies::money_by_state(&card.credits_term, fee)),
    };

    VendorPage {
        id: contract.id.clone(),
        name: contract.name.clone(),
        service: contract.service.clone(),
        term,
        fee: fee.map(|fee| format!("{} a month", format::money(fee.monthly, fee))),
        headline: headline_view,
        alerts: card
            .alerts
            .iter()
            .map(|alert| AlertView {
                severity: alert.severity.name(),
                kind: alert.kind.name(),
                message: alert_message(alert, project, card, evaluation.today),
            })
            .collect(),
        kpis: contract
            .kpis
            .iter()
            .enumerate()
            .map(|(index, kpi)| kpi_view(project, card, index, kpi))
            .collect(),
        kpi_names: contract.kpis.iter().map(|k| k.name.clone()).collect(),
        periods: card
            .periods
            .iter()
            .rev()
            .map(|period| PeriodRow {
                label: period.period.to_string(),
                score: format::score(period.score),
                grade: grade_name(project, period.grade),
                grade_class: grade_class(project, period.grade),
                credits: period_credits_text(contract, period),
                cells: contract
                    .kpis
                    .iter()
                    .zip(&period.kpis)
                    .map(|(kpi, result)| PeriodCell {
                        status: result.status.name(),
                        status_label: status_label(result.status),
                        actual: actual_text(contract, kpi, result),
                    })
                    .collect(),
            })
            .collect(),
        deliverables: contract
            .deliverables
            .iter()
            .zip(&card.deliverables)
            .map(|(item, result)| DeliverableView {
                id: item.id.clone(),
                name: item.name.clone(),
                due: format::date(item.due),
                delivered: match (item.delivered, item.accepted) {
                    (Some(on), Some(false)) => format!("{} (not accepted)", format::date(on)),
                    (Some(on), _) => format::date(on),
                    (None, _) => "—".to_owned(),
                },
                status: result.status.name(),
                status_label: match result.status {
                    DeliverableStatus::OnTime => "✓ On time",
                    DeliverableStatus::Late => "! Late",
                    DeliverableStatus::Overdue => "✗ Overdue",
                    DeliverableStatus::Pending => "· Pending",
                },
                days_late: result.days_late.map_or_else(String::new, |d| d.to_string()),
            })
            .collect(),
        evidence: contract
            .data_protection
            .iter()
            .zip(&card.evidence)
            .map(|(item, status)| EvidenceView {
                id: item.id.clone(),
                clause: item.clause.clone(),
                evidence: item.evidence.clone(),
                verified: format::date(item.verified),
                expires: format::date(item.expires()),
                status: status.name(),
                status_label: match status {
                    EvidenceStatus::Valid => "✓ Valid",
                    EvidenceStatus::Expiring => "! Expiring",
                    EvidenceStatus::Expired => "✗ Expired",
                },
            })
            .collect(),
        feedback: feedback::feedback(project, card, own_site),
        reviews: feedback::reviews(project, card),
        credits: remedies::credit_rows(contract, card),
        disputes: remedies::disputes(contract),
        exclusions: remedies::exclusions(contract),
        earn_back: contract.earn_back_periods.map(|n| {
            format!("a credit is waived when the KPI is met in each of the next {n} scored periods")
        }),
    }
}

fn actual_text(contract: &Contract, kpi: &Kpi, result: &KpiResult) -> String {
    let currency = contract.fee.as_ref().map(|f| f.currency.as_str());
    result.actual.map_or_else(|| "—".to_owned(), |a| format::actual(a, kpi, currency))
}

fn kpi_view(project: &Project, card: &Scorecard, index: usize, kpi: &Kpi) -> KpiView {
    let contract = &project.contracts[card.vendor];
    let currency = contract.fee.as_ref().map(|f| f.currency.as_str());
    let show = |value: f64| format::measure(value, kpi.unit, currency);
    let (comparison, risk) =
        if kpi.better == Better::Lower { ("at most", "up to") } else { ("at least", "down to") };
    let mut rule = format!("Target {comparison} {}", show(kpi.target));
    if let Some(tolerance) = kpi.tolerance.filter(|t| *t != kpi.target) {
        rule.push_str(&format!(", at risk {risk} {}", show(tolerance)));
    }
    rule.push_str(&format!(", {} of the period", kpi.aggregate.name()));
    if kpi.measured == Measured::Quarterly {
        rule.push_str(", measured per quarter");
    }
    if let Some(min) = kpi.min_count {
        rule.push_str(&format!(", at least {min} values"));
    }

    let points: Vec<Point> = card
        .periods
        .iter()
        .map(|p| Point {
            label: p.period.to_string(),
            actual: p.kpis[index].actual,
            status: p.kpis[index].status,
        })
        .collect();
    let title = format!("{}: actual per period against a target of {}", kpi.name, show(kpi.target));
    let chart = charts::kpi_chart(&KpiChart {
        id: &format!("chart-{}", kpi.id),
        title: &title,
        points: &points,
        target: kpi.target,
        tolerance: kpi.tolerance,
        whole_numbers: kpi.unit == crate::model::Unit::Count,
    });

    let headline = card.headline.map(|h| (card.periods[h].period, &card.periods[h].kpis[index]));
    let measured = match (kpi.measured, card.headline) {
        (Measured::Quarterly, Some(h)) if card.periods[h].kpis[index].status == Status::NotDue => {
            card.periods[..=h]
                .iter()
                .rev()
                .map(|p| (p.period, &p.kpis[index]))
                .find(|(_, k)| k.status != Status::NotDue)
        }
        _ => None,
    };
    let latest = measured.or(headline).map(|(_, result)| result);
    KpiView {
        id: kpi.id.clone(),
        name: kpi.name.clone(),
        unit: kpi.unit.name(),
        rule,
        has_tolerance: kpi.tolerance.is_some_and(|t| t != kpi.target),
        weight: format::number(kpi.weight),
        aggregate: kpi.aggregate.name(),
        credit: credit_rule_text(contract, kpi),
        chart,
        status: latest.map_or("not_due", |r| r.status.name()),
        status_label: latest.map_or(status_label(Status::NotDue), |r| status_label(r.status)),
        actual: latest.map_or_else(|| "—".to_owned(), |r| actual_text(contract, kpi, r)),
        measured_in: measured.map(|(month, _)| {
            Period::containing(PeriodKind::Quarter, month.last_day()).to_string()
        }),
        rows: card
            .periods
            .iter()
            .rev()
            .map(|p| kpi_row(contract, index, p.period, &p.kpis[index]))
            .collect(),
        actions: feedback::kpi_actions(project, card, index),
    }
}

/// The reasons of the agreed exclusions of a KPI that meet the days its result in `period` is
/// measured over, `first` (the first that left a value out) first, each once.
fn exclusion_reasons(contract: &Contract, kpi: usize, period: Period, first: usize) -> String {
    // A quarterly KPI in a monthly site is measured over its quarter.
    let measured = match (period.kind(), contract.kpis[kpi].measured) {
        (PeriodKind::Month, Measured::Quarterly) => period.quarter(),
        _ => period,
    };
    let (from, to) = (measured.first_day(), measured.last_day());
    let mut reasons = vec![contract.exclusions[first].reason.as_str()];
    for exclusion in &contract.exclusions {
        let meets =
            exclusion.kpi.is_none_or(|k| k == kpi) && exclusion.from <= to && exclusion.to >= from;
        if meets && !reasons.contains(&exclusion.reason.as_str()) {
            reasons.push(&exclusion.reason);
        }
    }
    reasons.join("; ")
}

fn kpi_row(contract: &Contract, index: usize, period: Period, result: &KpiResult) -> KpiRow {
    let kpi = &contract.kpis[index];
    let credit = match &result.credit {
        Some(credit) => {
            let mut text = format!(
                "{} {}",
                format::percent(credit.percent),
                remedies::state_label(credit.state).to_lowercase()
            );
            if credit.capped {
                text.push_str(&format!(
                    " (capped from {})",
                    format::percent(credit.percent_before_cap)
                ));
            }
            if let (Some(fee), Some(amount)) = (contract.fee.as_ref(), credit.amount) {
                text.push_str(&format!(" · {}", format::money(amount, fee)));
            }
            text
        }
        None => String::new(),
    };
    let remedy = remedies::period_note(contract, index, result, period);
    let note = match (result.status, result.exclusion) {
        _ if remedy.is_some() => remedy.unwrap_or_default(),
        (_, Some(Exclusion::TooFew { min })) => {
            format!("{} values, fewer than the {min} needed", result.count)
        }
        (Status::Missing, _) if kpi.when_missing == WhenMissing::Skip => {
            "not scored (when_missing: skip)".to_owned()
        }
        (Status::NotDue, _) if period.last_day() < contract.service_levels_from => {
            format!("service levels apply from {}", format::date(contract.service_levels_from))
        }
        (Status::NotDue, _) => "measured over the quarter, in its last month".to_owned(),
        _ => String::new(),
    };
    // A period measured on what exclusions left of it reads like any other without this.
    let note = match result.partly_excluded {
        Some((count, first)) => {
            let reasons = exclusion_reasons(contract, index, period, first as usize);
            let left_out = format!("{} left out: {reasons}", plural(count, "value"));
            if note.is_empty() { left_out } else { format!("{note}; {left_out}") }
        }
        None => note,
    };
    KpiRow {
        period: period.to_string(),
        actual: actual_text(contract, kpi, result),
        count: result.count,
        status: result.status.name(),
        status_label: status_label(result.status),
        score: format::score(result.score),
        credit,
        note,
    }
}

/// The KPI's credit rule in words: `2% of the fee when in breach or missing`, or its tiers.
fn credit_rule_text(contract: &Contract, kpi: &Kpi) -> Option<String> {
    let currency = contract.fee.as_ref().map(|f| f.currency.as_str());
    let missing = match kpi.when_missing {
        WhenMissing::Breach => " or missing",
        WhenMissing::Skip => "",
    };
    match &kpi.credit {
        CreditRule::None => None,
        CreditRule::Flat(percent) => {
            Some(format!("{} of the fee when in breach{missing}", format::percent(*percent)))
        }
        CreditRule::Tiers(tiers) => {
            let word = if kpi.better == Better::Higher { "below" } else { "above" };
            let steps: Vec<String> = tiers
                .iter()
                .map(|t| {
                    format!(
                        "{} {word} {}",
                        format::percent(t.percent),
                        format::measure(t.worse_than, kpi.unit, currency)
                    )
                })
                .collect();
            Some(format!(
                "tiers of the fee: {}{}",
                steps.join(", "),
                if missing.is_empty() { "" } else { "; the largest when missing" }
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(name: &str, min: f64, consequence: Option<&str>) -> Grade {
        Grade { grade: name.into(), min, consequence: consequence.map(str::to_owned) }
    }

    #[test]
    fn the_grade_legend_says_what_each_grade_takes() {
        let grades = [
            grade("A", 90.0, None),
            grade("B", 72.5, None),
            grade("D", 0.0, Some("Corrective action plan within 30 days")),
        ];
        assert_eq!(
            grade_legend(&grades),
            "A from 90 · B from 72.5 · D below 72.5 (Corrective action plan within 30 days)"
        );
        assert_eq!(grade_legend(&[grade("Pass", 0.0, None)]), "Pass at any score");
    }
}
