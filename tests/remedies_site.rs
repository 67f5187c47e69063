//! Remedies as the site shows them: the credits file a finance team imports, the JSON states,
//! and the vendor page's credits table, disputes and exclusions.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod common;

use common::Project;
use serde_json::json;

const CONTRACT: &str = "name: Acme Support\nterm: { start: 2026-01-01 }\nfee: { monthly: 1000, currency: EUR }\n\
kpis:\n\
  - { id: wait, name: Wait, unit: seconds, better: lower, target: 60, credit_percent: 6 }\n\
  - { id: csat, name: CSAT, unit: percent, better: higher, target: 80, credit_percent: 6 }\n\
credits: { cap_percent: 8, earn_back_periods: 1 }\n\
exclusions:\n\
  - { kpi: wait, from: 2026-03-01, to: 2026-03-31, reason: \"Office <move> & re-cabling\" }\n\
disputes:\n\
  - { kpi: csat, period: 2026-02, raised: 2026-03-02, status: open, text: \"Survey <script>alert(1)</script> was broken\" }\n";

// January: wait 100 s and csat 70 both breach: 6 % + 6 % = 12 % against the cap of 8 %, so
// 4 % each, 40.00 EUR each, capped. February: wait 50 (met) earns January's wait credit back;
// csat 70 breaches again (so January's csat is owed) and February's csat credit is disputed.
// March: wait's only value is excluded; csat 90 is met.
const EXPORT: &str = "date,vendor,kpi,value\n\
2026-01-10,acme,wait,100\n2026-01-10,acme,csat,70\n\
2026-02-10,acme,wait,50\n2026-02-10,acme,csat,70\n\
2026-03-10,acme,wait,500\n2026-03-10,acme,csat,90\n";

#[test]
fn credits_states_and_the_cap_reach_every_output() {
    let project = Project::new();
    project.file("contracts/acme.yaml", CONTRACT).file("kpis/acme.csv", EXPORT);
    let output = project.build_ok("2026-04-02");
    assert!(
        common::stderr(&output)
            .contains("left out measurements in the contracts' agreed exclusions: acme 1")
    );

    assert_eq!(
        project.read("data/credits.csv"),
        "vendor,period,kpi,percent_before_cap,percent,amount,currency,state,capped\n\
         acme,2026-01,wait,6,4,40.00,EUR,earned_back,true\n\
         acme,2026-01,csat,6,4,40.00,EUR,owed,true\n\
         acme,2026-02,csat,6,6,60.00,EUR,disputed,false\n"
    );

    let document = project.json();
    let vendor = &document["vendors"][0];
    assert_eq!(
        vendor["periods"][0]["credits"],
        json!({ "percent": 8.0, "amount": 80.0, "owed": 40.0, "pending": 0.0, "earned_back": 40.0, "disputed": 0.0 })
    );
    assert_eq!(
        vendor["credits_term"],
        json!({ "owed": 40.0, "pending": 0.0, "earned_back": 40.0, "disputed": 60.0, "currency": "EUR" })
    );
    assert_eq!(vendor["periods"][2]["kpis"][0]["status"], "excluded");

    let page = project.read("vendors/acme/index.html");
    assert!(
        page.contains("Survey &lt;script&gt;alert(1)&lt;/script&gt; was broken"),
        "the vendor's text is shown, escaped"
    );
    assert!(!page.contains("<script>"));
    assert!(page.contains("Office &lt;move&gt; &amp; re-cabling"));
    assert!(page.contains("met in each earn-back period, through 2026-02"));
    assert!(page.contains("scaled down to the cap of 8%"));
    assert!(page.contains("disputed by the vendor on 2 Mar 2026"));
}

#[test]
fn a_quarter_the_term_starts_in_is_billed_for_its_months_in_the_term_and_says_so() {
    let project = Project::new();
    project
        .file("vendorcard.yaml", "period: quarter\nas_of: 2026-Q1\n")
        .file(
            "contracts/acme.yaml",
            "name: Acme Support\nterm: { start: 2026-02-01 }\nfee: { monthly: 1000, currency: EUR }\n\
             kpis:\n  - { id: wait, name: Wait, unit: seconds, better: lower, target: 60, credit_percent: 6 }\n",
        )
        .file("kpis/acme.csv", "date,vendor,kpi,value\n2026-02-10,acme,wait,100\n");
    project.build_ok("2026-04-02");

    // 100 s breaches 60 s: 6 % of the fee of February and March, the quarter's two months in
    // the term, 6 % × 2 × 1,000 = 120.00 EUR.
    assert_eq!(
        project.read("data/credits.csv"),
        "vendor,period,kpi,percent_before_cap,percent,amount,currency,state,capped\n\
         acme,2026-Q1,wait,6,6,120.00,EUR,owed,false\n"
    );
    let page = project.read("vendors/acme/index.html");
    assert!(
        page.contains(
            "in breach; on the fee of 2 of the quarter&#39;s 3 months, those in the term"
        ),
        "{page}"
    );
}

#[test]
fn a_period_measured_on_what_an_exclusion_left_says_what_was_left_out() {
    let project = Project::new();
    project
        .file(
            "contracts/acme.yaml",
            "name: Acme Support\nterm: { start: 2026-01-01 }\n\
             kpis:\n  - { id: wait, name: Wait, unit: seconds, better: lower, target: 60 }\n\
             exclusions:\n  - { kpi: wait, from: 2026-01-05, to: 2026-01-06, reason: \"Power <cut>\" }\n\
             \x20 - { from: 2026-01-07, to: 2026-01-07, reason: Ransomware attack }\n\
             \x20 - { kpi: wait, from: 2026-02-01, to: 2026-02-02, reason: February works }\n",
        )
        .file(
            "kpis/acme.csv",
            "date,vendor,kpi,value\n2026-01-05,acme,wait,500\n2026-01-06,acme,wait,400\n\
             2026-01-07,acme,wait,300\n2026-01-20,acme,wait,50\n",
        );
    project.build_ok("2026-02-02");

    // The 500 s, 400 s and 300 s of the 5th to the 7th are left out by two exclusions (the
    // February one meets no day of January); January is the 50 s alone, met.
    let document = project.json();
    let january = &document["vendors"][0]["periods"][0]["kpis"][0];
    assert_eq!((january["actual"].clone(), january["status"].clone()), (50.0.into(), "met".into()));
    let page = project.read("vendors/acme/index.html");
    assert!(
        page.contains("<td>3 values left out: Power &lt;cut&gt;; Ransomware attack</td>"),
        "{page}"
    );
}

#[test]
fn a_dispute_raised_after_the_site_s_day_does_not_hold_the_credit_yet() {
    let project = Project::new();
    project.file("contracts/acme.yaml", CONTRACT).file("kpis/acme.csv", EXPORT);
    // Built for 1 March, the day before the vendor raised its dispute of February's csat: the
    // credit stands as measured, 6 % of 1,000 = 60.00 EUR, pending earn-back in March as the
    // build of that day showed, not disputed.
    let output = project.build_ok("2026-03-01");
    assert!(
        common::stderr(&output)
            .contains("left out 1 dispute raised after today: acme csat 2026-02"),
        "{}",
        common::stderr(&output)
    );
    assert!(
        project
            .read("data/credits.csv")
            .ends_with("acme,2026-02,csat,6,6,60.00,EUR,pending,false\n"),
        "{}",
        project.read("data/credits.csv")
    );
}

#[test]
fn a_capped_credit_shows_the_percent_its_amount_is_worked_out_from() {
    let project = Project::new();
    project
        .file(
            "contracts/acme.yaml",
            "name: Acme Support\nterm: { start: 2026-01-01 }\nfee: { monthly: 1000, currency: EUR }\n\
             kpis:\n  - { id: a, name: A, unit: count, better: lower, target: 1, credit_percent: 4 }\n\
             \x20 - { id: b, name: B, unit: count, better: lower, target: 1, credit_percent: 4 }\n\
             \x20 - { id: c, name: C, unit: count, better: lower, target: 1, credit_percent: 4 }\n\
             credits: { cap_percent: 10 }\n",
        )
        .file(
            "kpis/acme.csv",
            "date,vendor,kpi,value\n2026-01-10,acme,a,5\n2026-01-10,acme,b,5\n2026-01-10,acme,c,5\n",
        );
    project.build_ok("2026-02-02");

    // Three breaches of 4 % each, 12 %, capped at 10 %: 10 / 3 = 3.333333 % each, of 1,000 EUR
    // 33.333… each; the 100.00 EUR total is allotted 33.34, 33.33 and 33.33.
    let page = project.read("vendors/acme/index.html");
    assert!(page.contains("owed; 10% of the fee in credits, capped from 12%"), "{page}");
    assert_eq!(page.matches("<td class=\"num\">3.333333%</td>").count(), 3, "{page}");
    for amount in ["33.34 EUR", "33.33 EUR"] {
        assert!(page.contains(&format!("<td class=\"num\">{amount}</td>")), "{page}");
    }
    assert!(page.contains("the unit left over goes to the credit with the largest remainder"));
}

#[test]
fn a_quarterly_kpi_earns_back_over_quarters_and_says_so() {
    let project = Project::new();
    project
        .file("vendorcard.yaml", "as_of: 2026-06\n")
        .file(
            "contracts/acme.yaml",
            "name: Acme Support\nterm: { start: 2026-01-01 }\nfee: { monthly: 1000, currency: EUR }\n\
             kpis:\n  - { id: audit, name: Audit, unit: percent, better: higher, target: 90, measured: quarterly, credit_percent: 5 }\n\
             credits: { earn_back_periods: 2 }\n",
        )
        .file("kpis/acme.csv", "date,vendor,kpi,value\n2026-02-10,acme,audit,80\n2026-05-10,acme,audit,95\n");
    project.build_ok("2026-07-02");

    // Q1 breaches, measured in March: 5 % of March's fee, the site's period being the month,
    // = 50.00 EUR. Q2 (June) is met, one of the two quarters that earn it back.
    let credits = project.read("data/credits.csv");
    assert!(credits.contains("acme,2026-03,audit,5,5,50.00,EUR,pending,false\n"), "{credits}");
    let page = project.read("vendors/acme/index.html");
    assert!(page.contains("in breach; met in 1 of the next 2 quarters so far"), "{page}");
}

#[test]
fn a_dispute_decided_after_the_site_s_day_was_still_open_on_it() {
    let project = Project::new();
    let rejected_later =
        CONTRACT.replace("status: open, text:", "status: rejected, decided: 2026-04-10, text:");
    project.file("contracts/acme.yaml", &rejected_later).file("kpis/acme.csv", EXPORT);
    // Built for 2 April, before the rejection of 10 April: February's csat credit is still
    // disputed. Built for 20 April it follows the earn-back of one period: March's csat of 90
    // meets 80, so it is earned back.
    project.build_ok("2026-04-02");
    assert!(
        project
            .read("data/credits.csv")
            .contains("acme,2026-02,csat,6,6,60.00,EUR,disputed,false\n")
    );
    project.build_ok("2026-04-20");
    assert!(
        project
            .read("data/credits.csv")
            .contains("acme,2026-02,csat,6,6,60.00,EUR,earned_back,false\n")
    );
}
