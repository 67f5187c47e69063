//! `data/scorecards.json`: every number of the site for machines, every key always present.

use std::collections::BTreeMap;
use std::io;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::evaluate::credits::CreditTotals;
use crate::evaluate::rounding::{nearest_f64, round_half_away};
use crate::evaluate::{Evaluation, Scorecard};
use crate::model::{Contract, Project};
use crate::render::messages::alert_message;

#[derive(Debug, Serialize)]
struct Document<'a> {
    as_of: String,
    today: String,
    period: String,
    vendors: Vendors<'a>,
}

/// The vendors of the document, each made as it is written, so that the document of a large
/// portfolio is never held whole.
#[derive(Debug)]
struct Vendors<'a> {
    project: &'a Project,
    evaluation: &'a Evaluation,
}

impl Serialize for Vendors<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Vendors { project, evaluation } = *self;
        serializer
            .collect_seq(evaluation.scorecards.iter().map(|card| vendor(project, evaluation, card)))
    }
}

#[derive(Debug, Serialize)]
struct Vendor {
    id: String,
    name: String,
    service: Option<String>,
    score: Option<f64>,
    grade: Option<String>,
    credits: HeadlineCredits,
    credits_term: TermCredits,
    periods: Vec<PeriodJson>,
    deliverables: Vec<DeliverableJson>,
    reviews: Vec<ReviewJson>,
    alerts: Vec<AlertJson>,
}

#[derive(Debug, Serialize)]
struct HeadlineCredits {
    percent: Option<f64>,
    amount: Option<f64>,
    currency: Option<String>,
    owed: Option<f64>,
    pending: Option<f64>,
    earned_back: Option<f64>,
    disputed: Option<f64>,
}

#[derive(Debug, Serialize)]
struct TermCredits {
    owed: Option<f64>,
    pending: Option<f64>,
    earned_back: Option<f64>,
    disputed: Option<f64>,
    currency: Option<String>,
}

#[derive(Debug, Serialize)]
struct PeriodJson {
    period: String,
    score: Option<f64>,
    grade: Option<String>,
    credits: PeriodCreditsJson,
    surveys: BTreeMap<String, SurveyJson>,
    kpis: Vec<KpiJson>,
}

#[derive(Debug, Serialize)]
struct PeriodCreditsJson {
    percent: f64,
    amount: Option<f64>,
    owed: Option<f64>,
    pending: Option<f64>,
    earned_back: Option<f64>,
    disputed: Option<f64>,
}

#[derive(Debug, Serialize)]
struct SurveyJson {
    mean: Option<f64>,
    count: u64,
}

#[derive(Debug, Serialize)]
struct KpiJson {
    id: String,
    actual: Option<f64>,
    status: &'static str,
    score: Option<f64>,
    credit: Option<CreditJson>,
}

#[derive(Debug, Serialize)]
struct CreditJson {
    percent: f64,
    amount: Option<f64>,
    state: &'static str,
}

#[derive(Debug, Serialize)]
struct DeliverableJson {
    id: String,
    status: &'static str,
    days_late: Option<i64>,
}

#[derive(Debug, Serialize)]
struct ReviewJson {
    date: String,
    actions_open: u64,
    actions_overdue: u64,
}

#[derive(Debug, Serialize)]
struct AlertJson {
    kind: &'static str,
    severity: &'static str,
    message: String,
}

/// A decimal as a JSON number; money has already been rounded to its minor unit.
fn number(value: Decimal) -> f64 {
    nearest_f64(value)
}

fn percent(value: Decimal) -> f64 {
    round_half_away(number(value), 6)
}

pub fn scorecards_json(
    project: &Project,
    evaluation: &Evaluation,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let document = Document {
        as_of: evaluation.as_of.to_string(),
        today: evaluation.today.to_string(),
        period: evaluation.period.to_string(),
        vendors: Vendors { project, evaluation },
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")
}

fn vendor(project: &Project, evaluation: &Evaluation, card: &Scorecard) -> Vendor {
    let contract = &project.contracts[card.vendor];
    let has_fee = contract.fee.is_some();
    let money = |value: Decimal| has_fee.then(|| number(value));
    // The period holding `as_of`, not the last of a term that ended before it.
    let headline = card.current(evaluation.period);
    let grade = |index: Option<usize>| index.map(|g| project.settings.grades[g].grade.clone());
    let empty = CreditTotals::default();
    let totals = headline.map_or(&empty, |p| &p.credits.totals);

    Vendor {
        id: contract.id.clone(),
        name: contract.name.clone(),
        service: contract.service.clone(),
        score: headline.and_then(|p| p.score),
        grade: grade(headline.and_then(|p| p.grade)),
        credits: HeadlineCredits {
            percent: headline.map(|p| percent(p.credits.percent)),
            amount: headline.and_then(|p| p.credits.amount).map(number),
            currency: currency(contract),
            owed: money(totals.owed),
            pending: money(totals.pending),
            earned_back: money(totals.earned_back),
            disputed: money(totals.disputed),
        },
        credits_term: TermCredits {
            owed: money(card.credits_term.owed),
            pending: money(card.credits_term.pending),
            earned_back: money(card.credits_term.earned_back),
            disputed: money(card.credits_term.disputed),
            currency: currency(contract),
        },
        periods: card
            .periods
            .iter()
            .map(|period| PeriodJson {
                period: period.period.to_string(),
                score: period.score,
                grade: grade(period.grade),
                credits: PeriodCreditsJson {
                    percent: percent(period.credits.percent),
                    amount: period.credits.amount.map(number),
                    owed: money(period.credits.totals.owed),
                    pending: money(period.credits.totals.pending),
                    earned_back: money(period.credits.totals.earned_back),
                    disputed: money(period.credits.totals.disputed),
                },
                surveys: period
                    .surveys
                    .iter()
                    .map(|s| {
                        (s.kind.name().to_owned(), SurveyJson { mean: s.mean, count: s.count })
                    })
                    .collect(),
                kpis: contract
                    .kpis
                    .iter()
                    .zip(&period.kpis)
                    .map(|(kpi, result)| KpiJson {
                        id: kpi.id.clone(),
                        actual: result.actual,
                        status: result.status.name(),
                        score: result.score,
                        credit: result.credit.as_ref().map(|credit| CreditJson {
                            percent: percent(credit.percent),
                            amount: credit.amount.map(number),
                            state: credit.state.name(),
                        }),
                    })
                    .collect(),
            })
            .collect(),
        deliverables: contract
            .deliverables
            .iter()
            .zip(&card.deliverables)
            .map(|(item, result)| DeliverableJson {
                id: item.id.clone(),
                status: result.status.name(),
                days_late: result.days_late,
            })
            .collect(),
        reviews: card
            .reviews
            .iter()
            .map(|summary| ReviewJson {
                date: project.reviews[summary.review].date.to_string(),
                actions_open: summary.actions_open,
                actions_overdue: summary.actions_overdue,
            })
            .collect(),
        alerts: card
            .alerts
            .iter()
            .map(|alert| AlertJson {
                kind: alert.kind.name(),
                severity: alert.severity.name(),
                message: alert_message(alert, project, card, evaluation.today),
            })
            .collect(),
    }
}

fn currency(contract: &Contract) -> Option<String> {
    contract.fee.as_ref().map(|fee| fee.currency.clone())
}
