//! The two examples built on real per-row exports, checked against a computation of their own:
//! the CSV is read here with the csv crate alone and the KPIs recomputed by hand, so a mistake
//! in vendorcard's mapping, parsing or aggregation would show as a difference.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "ranks and counts of a few thousand rows"
)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Project, copy_tree};
use serde_json::Value;

fn build_example(name: &str, today: &str) -> (Project, Value) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
    let project = Project::new();
    copy_tree(&example, project.path());
    project.build_ok(today);
    let document = project.json();
    (project, document)
}

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    reader
        .records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_owned)).collect())
        .collect()
}

fn actual(document: &Value, vendor: &str, period: &str, kpi: &str) -> f64 {
    let vendor =
        document["vendors"].as_array().unwrap().iter().find(|v| v["id"] == vendor).unwrap();
    let period =
        vendor["periods"].as_array().unwrap().iter().find(|p| p["period"] == period).unwrap();
    period["kpis"].as_array().unwrap().iter().find(|k| k["id"] == kpi).unwrap()["actual"]
        .as_f64()
        .unwrap()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Linear interpolation between the closest ranks, as a spreadsheet's PERCENTILE.INC.
fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = p / 100.0 * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - rank.floor())
}

fn close(vendorcard: f64, by_hand: f64, what: &str) {
    assert!(
        (vendorcard - by_hand).abs() < 5e-7,
        "{what}: vendorcard {vendorcard}, by hand {by_hand}"
    );
}

#[test]
fn call_centre_actuals_match_a_computation_from_the_raw_calls() {
    let (project, document) = build_example("call-centre", "2021-04-05");
    let calls = rows(&project.path().join("exports/pwc_call_center_trends_q1_2021.csv"));
    assert_eq!(calls.len(), 5000);

    let team = |agent: &str| {
        if ["Jim", "Martha", "Diane", "Dan"].contains(&agent) { "northdesk" } else { "southline" }
    };
    let mut checked = 0;
    for vendor in ["northdesk", "southline"] {
        for month in ["2021-01", "2021-02", "2021-03"] {
            let of: Vec<&BTreeMap<String, String>> = calls
                .iter()
                .filter(|c| team(&c["Agent"]) == vendor && c["Date"].starts_with(month))
                .collect();
            let share = |column: &str| {
                100.0 * of.iter().filter(|c| c[column] == "Y").count() as f64 / of.len() as f64
            };
            let numbers = |column: &str| -> Vec<f64> {
                of.iter()
                    .filter(|c| !c[column].is_empty())
                    .map(|c| c[column].parse().unwrap())
                    .collect()
            };
            let talk: Vec<f64> = of
                .iter()
                .filter(|c| !c["AvgTalkDuration"].is_empty())
                .map(|c| {
                    let parts: Vec<f64> =
                        c["AvgTalkDuration"].split(':').map(|p| p.parse().unwrap()).collect();
                    parts[0] * 60.0 + parts[1] + parts[2] / 60.0
                })
                .collect();

            let place = |kpi: &str| format!("{vendor} {month} {kpi}");
            close(
                actual(&document, vendor, month, "answered"),
                share("Answered (Y/N)"),
                &place("answered"),
            );
            close(
                actual(&document, vendor, month, "resolved"),
                share("Resolved"),
                &place("resolved"),
            );
            close(
                actual(&document, vendor, month, "speed_of_answer"),
                percentile(&numbers("Speed of answer in seconds"), 90.0),
                &place("speed_of_answer"),
            );
            close(actual(&document, vendor, month, "talk_time"), mean(&talk), &place("talk_time"));
            close(
                actual(&document, vendor, month, "satisfaction"),
                mean(&numbers("Satisfaction rating")),
                &place("satisfaction"),
            );
            checked += 5;
        }
    }
    assert_eq!(checked, 30);
}

#[test]
fn helpdesk_actuals_match_a_computation_from_the_raw_tickets() {
    let (project, document) = build_example("helpdesk", "2023-07-03");
    let tickets =
        rows(&project.path().join("exports/helpdesk_customer_support_tickets_first5000.csv"));
    let team = |channel: &str| {
        if ["Chat", "Social media"].contains(&channel) { "brightchat" } else { "voiceline" }
    };
    let hours = |from: &str, to: &str| -> f64 {
        let parse =
            |t: &str| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").unwrap();
        (parse(to) - parse(from)).num_seconds() as f64 / 3600.0
    };

    for vendor in ["brightchat", "voiceline"] {
        for month in ["2023-05", "2023-06"] {
            // A ticket is dated by its first response; one without is not measured.
            let of: Vec<&BTreeMap<String, String>> = tickets
                .iter()
                .filter(|t| {
                    team(&t["Ticket Channel"]) == vendor
                        && t["First Response Time"].starts_with(month)
                })
                .collect();
            let closed = 100.0
                * of.iter().filter(|t| t["Ticket Status"] == "Closed").count() as f64
                / of.len() as f64;
            let resolution: Vec<f64> = of
                .iter()
                .filter(|t| !t["Time to Resolution"].is_empty())
                .map(|t| hours(&t["First Response Time"], &t["Time to Resolution"]))
                .filter(|h| *h >= 0.0)
                .collect();
            let csat: Vec<f64> = of
                .iter()
                .filter(|t| !t["Customer Satisfaction Rating"].is_empty())
                .map(|t| t["Customer Satisfaction Rating"].parse().unwrap())
                .collect();
            let critical: Vec<f64> = of
                .iter()
                .filter(|t| {
                    t["Ticket Priority"] == "Critical" && !t["Time to Resolution"].is_empty()
                })
                .map(|t| hours(&t["First Response Time"], &t["Time to Resolution"]))
                .filter(|h| *h >= 0.0)
                .collect();

            let place = |kpi: &str| format!("{vendor} {month} {kpi}");
            close(actual(&document, vendor, month, "closed_rate"), closed, &place("closed_rate"));
            close(
                actual(&document, vendor, month, "resolution_time"),
                percentile(&resolution, 50.0),
                &place("resolution_time"),
            );
            close(actual(&document, vendor, month, "csat"), mean(&csat), &place("csat"));
            close(
                actual(&document, vendor, month, "critical_resolution"),
                percentile(&critical, 90.0),
                &place("critical_resolution"),
            );
        }
    }
}
