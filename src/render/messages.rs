//! The sentence of each alert, naming what and when, for pages and for `scorecards.json`.

use chrono::NaiveDate;

use crate::evaluate::alerts::{Alert, AlertKind, Subject};
use crate::evaluate::status::Status;
use crate::evaluate::{Scorecard, due_history};
use crate::model::{Contract, Project};
use crate::render::format;

pub fn alert_message(
    alert: &Alert,
    project: &Project,
    card: &Scorecard,
    today: NaiveDate,
) -> String {
    let days_from_today = |date: NaiveDate| (date - today).num_days();
    let contract = &project.contracts[card.vendor];
    match (alert.kind, alert.subject) {
        (_, Subject::Review { since, reviewed, cadence }) => {
            let last = if reviewed {
                format!("the last review was on {}", format::date(since))
            } else {
                format!(
                    "the term started on {} and no review has been held since",
                    format::date(since)
                )
            };
            format!(
                "No review for {}: {last}, and reviews are due every {}",
                plural((today - since).num_days(), "day"),
                plural(i64::from(cadence), "day")
            )
        }
        (_, Subject::Action { review, action, agreed }) => {
            let item = &project.reviews[review].actions[action];
            let due =
                item.due.map_or_else(String::new, |due| format!(", due {}", format::date(due)));
            format!(
                "Action {} agreed at the review of {} is open past its due date{due}: {}",
                item.id,
                format::date(project.reviews[agreed].date),
                item.text
            )
        }
        (kind, Subject::Kpi { kpi, period }) => kpi_message(kind, contract, card, kpi, period),
        (_, Subject::Data { as_of }) => format!(
            "The KPI exports close on {}, more than one period before today ({}): the figures are behind",
            format::date(as_of),
            format::date(today)
        ),
        (kind, Subject::Deliverable { index }) => {
            let item = &contract.deliverables[index];
            let days = card.deliverables[index].days_late.unwrap_or(0);
            match (kind, item.delivered) {
                (AlertKind::DeliverableLate, Some(on)) => format!(
                    "{} was delivered on {}, {} after its due date of {}",
                    item.name,
                    format::date(on),
                    plural(days, "day"),
                    format::date(item.due)
                ),
                (_, delivered) => {
                    // A delivery dated after the site's day is not yet made, not turned down.
                    let turned_down = delivered.is_some() && item.accepted == Some(false);
                    let rejected = if turned_down { " (delivered but not accepted)" } else { "" };
                    format!(
                        "{} was due on {} and is {} overdue{rejected}",
                        item.name,
                        format::date(item.due),
                        plural(days, "day")
                    )
                }
            }
        }
        (kind, Subject::Evidence { index, expires }) => {
            let item = &contract.data_protection[index];
            if kind == AlertKind::EvidenceExpired {
                format!(
                    "The evidence for “{}” ({}) expired on {}",
                    item.clause,
                    item.evidence,
                    format::date(expires)
                )
            } else {
                format!(
                    "The evidence for “{}” ({}) expires on {}, in {}",
                    item.clause,
                    item.evidence,
                    format::date(expires),
                    plural(days_from_today(expires), "day")
                )
            }
        }
        (kind, Subject::Notice { deadline, end }) => {
            let outcome = if contract.term.auto_renew {
                // It renews once the term's last day has passed, not on that day.
                format!(
                    "the contract renews automatically when its term ends on {}",
                    format::date(end)
                )
            } else {
                format!("the term ends on {}", format::date(end))
            };
            if kind == AlertKind::NoticePassed {
                format!("The notice deadline of {} has passed: {outcome}", format::date(deadline))
            } else {
                format!(
                    "Notice must be given by {}, in {}; otherwise {outcome}",
                    format::date(deadline),
                    plural(days_from_today(deadline), "day")
                )
            }
        }
        (_, Subject::TermEnd { end }) => {
            let renewal = if contract.term.auto_renew { ", and renews automatically" } else { "" };
            format!(
                "The term ends on {}, in {}{renewal}",
                format::date(end),
                plural(days_from_today(end), "day")
            )
        }
    }
}

fn kpi_message(
    kind: AlertKind,
    contract: &Contract,
    card: &Scorecard,
    kpi_index: usize,
    period: crate::evaluate::periods::Period,
) -> String {
    let kpi = &contract.kpis[kpi_index];
    let currency = contract.fee.as_ref().map(|fee| fee.currency.as_str());
    let show = |value| format::measure(value, kpi.unit, currency);
    let actual = card.period(period).and_then(|p| p.kpis[kpi_index].actual);
    let against = format!("against a target of {}", show(kpi.target));
    match (kind, actual) {
        (AlertKind::KpiMissing, _) | (_, None) => {
            format!("{}: no value reported for {period}", kpi.name)
        }
        (AlertKind::BreachStreak, Some(actual)) => {
            // The alert is raised at three; the message tells how long the streak has lasted.
            let running = card.periods.iter().position(|p| p.period == period).map_or(3, |upto| {
                due_history(card, kpi_index, upto)
                    .take_while(|k| k.status == Status::Breach)
                    .count()
            });
            format!(
                "{} in breach {running} periods running, latest {period}: {} {against}",
                kpi.name,
                format::actual(actual, kpi, currency)
            )
        }
        (_, Some(actual)) => {
            let actual = format::actual(actual, kpi, currency);
            format!("{} in breach in {period}: {actual} {against}", kpi.name)
        }
    }
}

fn plural(count: i64, word: &str) -> String {
    if count == 1 { format!("1 {word}") } else { format!("{count} {word}s") }
}
