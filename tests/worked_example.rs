//! The worked example of the design (§6), built end to end by the real binary.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod common;

use common::Project;
use serde_json::json;

#[test]
fn february_matches_the_worked_example() {
    let project = Project::fixture("lumen");
    project.build_ok("2026-02-28");
    let document = project.json();

    // January: first_reply median of 20 and 40 is 30, met; solved mean of 95 and 85 is 90, met.
    // February: first_reply 45 is 15 past 30 in a 30-wide tolerance, 100 − 50 × 15/30 = 75;
    // solved 80 misses 90 with no tolerance: breach, 5 % of 8,000 EUR = 400.00 (cap 6 %).
    // Score (75 × 1 + 0 × 2) / 3 = 25.00, grade D.
    let vendor = &document["vendors"][0];
    assert_eq!(document["as_of"], "2026-02-28");
    assert_eq!(document["period"], "2026-02");
    assert_eq!((vendor["score"].clone(), vendor["grade"].clone()), (json!(25.0), json!("D")));
    assert_eq!(
        vendor["periods"][1],
        json!({ "period": "2026-02", "score": 25.0, "grade": "D",
                "credits": { "percent": 5.0, "amount": 400.0, "owed": 400.0, "pending": 0.0,
                             "earned_back": 0.0, "disputed": 0.0 },
                "surveys": {},
                "kpis": [
                  { "id": "first_reply", "actual": 45.0, "status": "at_risk", "score": 75.0, "credit": null },
                  { "id": "solved", "actual": 80.0, "status": "breach", "score": 0.0,
                    "credit": { "percent": 5.0, "amount": 400.0, "state": "owed" } } ] })
    );
    assert_eq!(vendor["periods"][0]["score"], json!(100.0));
    assert_eq!(vendor["periods"][0]["grade"], json!("A"));

    let alerts = vendor["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(
        (alerts[0]["kind"].as_str(), alerts[0]["severity"].as_str()),
        (Some("kpi_breach"), Some("high"))
    );
    assert!(alerts[0]["message"].as_str().unwrap().contains("Solved in 24 h"));
}
