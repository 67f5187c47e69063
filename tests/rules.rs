//! The scoring rules, one claim per test, on projects built in memory: no folder, no binary.
//! Each expected value is worked out by hand in the comment above it.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use vendorcard::evaluate::aggregate::{Cell, Origin};
use vendorcard::evaluate::alerts::AlertKind;
use vendorcard::evaluate::periods::{Period, PeriodKind};
use vendorcard::evaluate::status::Status;
use vendorcard::evaluate::{Evaluation, Exclusion, evaluate};
use vendorcard::load::contracts;
use vendorcard::model::{CellKey, Measurements, Project, Settings};

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A one-vendor project: the contract's YAML and measurements as (date, KPI index, value).
struct Case {
    settings: Settings,
    contract: &'static str,
    values: Vec<(&'static str, usize, f64)>,
}

impl Case {
    fn new(contract: &'static str) -> Case {
        Case { settings: Settings::default(), contract, values: Vec::new() }
    }

    fn value(mut self, on: &'static str, kpi: usize, value: f64) -> Case {
        self.values.push((on, kpi, value));
        self
    }

    fn project(&self, as_of: &str) -> Project {
        let contract =
            contracts::parse("contracts/v.yaml", "v", self.contract, self.settings.period).unwrap();
        let mut measurements = Measurements::default();
        for (row, (on, kpi, value)) in (1..).zip(&self.values) {
            let day = date(on);
            let key = CellKey {
                vendor: 0,
                kpi: *kpi,
                period: Period::containing(self.settings.period, day),
            };
            let keep = contract.kpis[*kpi].aggregate.needs_values();
            let at = NaiveDateTime::new(day, chrono::NaiveTime::MIN);
            measurements.entry(key).or_insert_with(|| Cell::new(keep)).add(
                *value,
                at,
                Origin { file: 0, row },
            );
        }
        Project {
            settings: self.settings.clone(),
            contracts: vec![contract],
            measurements,
            surveys: Default::default(),
            reviews: Vec::new(),
            as_of: date(as_of),
        }
    }

    fn evaluate(&self, as_of: &str, today: &str) -> Evaluation {
        evaluate(&self.project(as_of), date(today))
    }
}

const ONE_KPI: &str = "name: V\nterm: { start: 2026-01-01, end: 2026-12-31 }\n\
    fee: { monthly: 10000, currency: EUR }\n\
    kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, tolerance: 90, credit_percent: 2 }\n";

fn statuses(evaluation: &Evaluation, kpi: usize) -> Vec<Status> {
    evaluation.scorecards[0].periods.iter().map(|p| p.kpis[kpi].status).collect()
}

fn kinds(evaluation: &Evaluation) -> Vec<&'static str> {
    evaluation.scorecards[0].alerts.iter().map(|a| a.kind.name()).collect()
}

#[test]
fn every_period_of_the_term_up_to_as_of_is_scored() {
    // Term from January; as_of 15 March: January, February and March.
    let evaluation =
        Case::new(ONE_KPI).value("2026-02-10", 0, 50.0).evaluate("2026-03-15", "2026-03-20");
    let periods: Vec<String> =
        evaluation.scorecards[0].periods.iter().map(|p| p.period.to_string()).collect();
    assert_eq!(periods, ["2026-01", "2026-02", "2026-03"]);
    assert_eq!(statuses(&evaluation, 0), [Status::Missing, Status::Met, Status::Missing]);
    assert_eq!(evaluation.period.to_string(), "2026-03");
}

#[test]
fn a_missing_period_scores_zero_and_owes_its_credit() {
    // No value in January: missing, score 0, owes 2 % of 10,000 = 200.00.
    let evaluation = Case::new(ONE_KPI).evaluate("2026-01-31", "2026-02-01");
    let january = &evaluation.scorecards[0].periods[0];
    assert_eq!((january.kpis[0].status, january.kpis[0].score), (Status::Missing, Some(0.0)));
    assert_eq!(january.credits.amount, Some(Decimal::from(200)));
    assert_eq!(kinds(&evaluation), ["kpi_missing"]);
}

#[test]
fn when_missing_skip_leaves_the_period_unscored_and_owes_nothing() {
    const SKIP: &str = "name: V\nterm: { start: 2026-01-01 }\nfee: { monthly: 10000, currency: EUR }\n\
        kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, credit_percent: 2, when_missing: skip }\n\
        \x20 - { id: csat, unit: percent, better: higher, target: 80 }\n";
    let evaluation =
        Case::new(SKIP).value("2026-01-05", 1, 90.0).evaluate("2026-01-31", "2026-02-01");
    let january = &evaluation.scorecards[0].periods[0];
    assert_eq!((january.kpis[0].status, january.kpis[0].score), (Status::Missing, None));
    assert!(january.kpis[0].credit.is_none());
    // Only csat is scored: 100.
    assert_eq!(january.score, Some(100.0));
    assert_eq!(january.credits.amount, Some(Decimal::ZERO));
}

#[test]
fn periods_before_service_levels_apply_are_not_due() {
    const TRANSITION: &str = "name: V\nterm: { start: 2026-01-01 }\nservice_levels_from: 2026-03-01\n\
        fee: { monthly: 10000, currency: EUR }\n\
        kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, credit_percent: 2 }\n";
    // 200 s in January is far past 60 s, but January and February are transition months.
    let evaluation = Case::new(TRANSITION)
        .value("2026-01-10", 0, 200.0)
        .value("2026-03-10", 0, 200.0)
        .evaluate("2026-03-31", "2026-04-01");
    assert_eq!(statuses(&evaluation, 0), [Status::NotDue, Status::NotDue, Status::Breach]);
    let card = &evaluation.scorecards[0];
    assert_eq!((card.periods[0].score, card.periods[0].grade), (None, None));
    assert!(card.periods[0].credits.kpis[0].is_none());
    // Only March owes: 2 % of 10,000 = 200.00 over the term.
    assert_eq!(card.credits_term.owed, Decimal::from(200));
}

#[test]
fn too_few_values_exclude_the_period_but_show_the_actual() {
    const VOLUME: &str = "name: V\nterm: { start: 2026-01-01 }\nfee: { monthly: 10000, currency: EUR }\n\
        kpis:\n  - { id: p1, unit: hours, better: lower, target: 4, aggregate: p90, min_count: 3, credit_percent: 5 }\n";
    // Two tickets, 10 and 20 hours: the p90 would be 10 + 0.9 × 10 = 19, a breach, but two
    // values are fewer than the three the contract needs.
    let evaluation = Case::new(VOLUME)
        .value("2026-01-03", 0, 10.0)
        .value("2026-01-09", 0, 20.0)
        .evaluate("2026-01-31", "2026-02-01");
    let result = &evaluation.scorecards[0].periods[0].kpis[0];
    assert_eq!((result.status, result.actual, result.score), (Status::Excluded, Some(19.0), None));
    assert_eq!(result.exclusion, Some(Exclusion::TooFew { min: 3 }));
    assert_eq!(result.count, 2);
    assert!(result.credit.is_none());
    assert_eq!(evaluation.scorecards[0].periods[0].score, None, "nothing scored, no score");
}

#[test]
fn a_quarterly_kpi_is_measured_over_its_quarter_in_the_last_month() {
    const QUARTERLY: &str = "name: V\nterm: { start: 2026-01-01 }\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: audit, unit: percent, better: higher, target: 90, measured: quarterly, credit_percent: 6 }\n";
    // January 80, February 100, March 96: the quarter's mean is 92, met, in March.
    let evaluation = Case::new(QUARTERLY)
        .value("2026-01-15", 0, 80.0)
        .value("2026-02-15", 0, 100.0)
        .value("2026-03-15", 0, 96.0)
        .evaluate("2026-04-30", "2026-05-01");
    assert_eq!(
        statuses(&evaluation, 0),
        [Status::NotDue, Status::NotDue, Status::Met, Status::NotDue]
    );
    assert_eq!(evaluation.scorecards[0].periods[2].kpis[0].actual, Some(92.0));
    assert_eq!(evaluation.scorecards[0].periods[3].score, None);
}

#[test]
fn a_quarterly_site_bills_three_months_of_fee() {
    let mut case = Case::new(ONE_KPI).value("2026-02-01", 0, 120.0);
    case.settings.period = PeriodKind::Quarter;
    // 120 s is past the 90 s tolerance: breach, 2 % of 3 × 10,000 = 600.00.
    let evaluation = case.evaluate("2026-03-31", "2026-04-01");
    let quarter = &evaluation.scorecards[0].periods[0];
    assert_eq!(quarter.period.to_string(), "2026-Q1");
    assert_eq!(quarter.credits.amount, Some(Decimal::from(600)));
}

#[test]
fn three_breaches_running_raise_a_streak_not_a_breach() {
    let case = Case::new(ONE_KPI).value("2026-01-10", 0, 95.0).value("2026-02-10", 0, 100.0).value(
        "2026-03-10",
        0,
        91.0,
    );
    assert_eq!(kinds(&case.evaluate("2026-03-31", "2026-04-01")), ["breach_streak"]);
    // Had February been at risk (80 s), March alone is a breach.
    let broken = Case::new(ONE_KPI)
        .value("2026-01-10", 0, 95.0)
        .value("2026-02-10", 0, 80.0)
        .value("2026-03-10", 0, 91.0);
    assert_eq!(kinds(&broken.evaluate("2026-03-31", "2026-04-01")), ["kpi_breach"]);
}

#[test]
fn exports_more_than_a_period_behind_are_stale() {
    let case = Case::new(ONE_KPI).value("2026-01-10", 0, 50.0);
    // as_of in January, today in February: one period behind, as expected.
    assert_eq!(kinds(&case.evaluate("2026-01-31", "2026-02-03")), Vec::<&str>::new());
    // Today in March: January is two periods back.
    assert_eq!(kinds(&case.evaluate("2026-01-31", "2026-03-03")), ["data_stale"]);
}

#[test]
fn the_cap_scales_credits_in_a_period_with_several_breaches() {
    const TWO: &str = "name: V\nterm: { start: 2026-01-01 }\nfee: { monthly: 10000, currency: EUR }\n\
        kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, credit_percent: 4 }\n\
        \x20 - { id: csat, unit: percent, better: higher, target: 80, credit_percent: 8 }\n\
        credits: { cap_percent: 6 }\n";
    // Both in breach: 4 % + 8 % = 12 % against a cap of 6 %, so each is halved: 2 % and 4 %,
    // 200.00 and 400.00 of 10,000, adding up to 600.00.
    let evaluation = Case::new(TWO)
        .value("2026-01-10", 0, 61.0)
        .value("2026-01-10", 1, 79.0)
        .evaluate("2026-01-31", "2026-02-01");
    let january = &evaluation.scorecards[0].periods[0];
    let parts: Vec<(Decimal, Option<Decimal>, bool)> =
        january.credits.kpis.iter().flatten().map(|c| (c.percent, c.amount, c.capped)).collect();
    assert_eq!(
        parts,
        [
            (Decimal::from(2), Some(Decimal::from(200)), true),
            (Decimal::from(4), Some(Decimal::from(400)), true)
        ]
    );
    assert_eq!(
        (january.credits.percent, january.credits.amount),
        (Decimal::from(6), Some(Decimal::from(600)))
    );
}

const OBLIGATIONS: &str = "name: V\nterm: { start: 2026-01-01, end: 2027-01-31, notice_days: 90, auto_renew: true }\n\
    kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60 }\n\
    deliverables:\n\
    \x20 - { id: plan, name: Plan, due: 2026-03-31, delivered: 2026-04-04 }\n\
    \x20 - { id: audit, name: Audit, due: 2026-11-30 }\n\
    \x20 - { id: macros, name: Macros, due: 2026-06-30, delivered: 2026-06-01, accepted: false }\n\
    data_protection:\n\
    \x20 - { id: dpa, clause: EU only, evidence: DPA, verified: 2026-01-10, valid_days: 330 }\n\
    \x20 - { id: pen, clause: Tested, evidence: Pentest, verified: 2025-12-01, valid_days: 365 }\n";

#[test]
fn deliverables_evidence_and_the_notice_deadline_raise_their_alerts() {
    // Today 3 December 2026, as_of 30 November:
    // - plan was delivered 4 days late in April, before the headline period: no alert;
    // - audit was due 30 November and is 3 days overdue; macros was not accepted: overdue;
    // - dpa expires 10 Jan 2026 + 330 days = 6 Dec 2026, in 3 days: expiring;
    // - pen expires 1 Dec 2026, before today: expired;
    // - notice deadline 31 Jan 2027 − 90 days = 2 Nov 2026, passed;
    // - the term ends 31 Jan 2027, 59 days away, within 60: contract_ending.
    let evaluation =
        Case::new(OBLIGATIONS).value("2026-11-10", 0, 30.0).evaluate("2026-11-30", "2026-12-03");
    let card = &evaluation.scorecards[0];
    let days: Vec<Option<i64>> = card.deliverables.iter().map(|d| d.days_late).collect();
    assert_eq!(days, [Some(4), Some(3), Some(156)]);
    assert_eq!(
        kinds(&evaluation),
        [
            "deliverable_overdue",
            "deliverable_overdue",
            "evidence_expired",
            "notice_passed",
            "contract_ending",
            "evidence_expiring"
        ]
    );
    assert!(card.alerts.iter().all(|a| a.kind != AlertKind::DeliverableLate));
}

#[test]
fn a_late_delivery_in_the_headline_period_is_flagged() {
    // Delivered 4 April against 31 March, with April the headline period.
    let evaluation =
        Case::new(OBLIGATIONS).value("2026-04-10", 0, 30.0).evaluate("2026-04-30", "2026-05-02");
    assert!(kinds(&evaluation).contains(&"deliverable_late"));
}

#[test]
fn the_notice_deadline_is_flagged_within_the_horizon() {
    // Deadline 2 Nov 2026; today 10 Sep 2026 is 53 days before it, within 60.
    let evaluation =
        Case::new(OBLIGATIONS).value("2026-08-10", 0, 30.0).evaluate("2026-08-31", "2026-09-10");
    assert!(kinds(&evaluation).contains(&"notice_deadline"), "{:?}", kinds(&evaluation));
    assert!(!kinds(&evaluation).contains(&"contract_ending"));
}

#[test]
fn a_vendor_whose_term_starts_after_as_of_has_no_score() {
    const LATER: &str = "name: V\nterm: { start: 2027-01-01 }\nkpis:\n  - { id: wait, unit: seconds, better: lower, target: 60 }\n";
    let evaluation = Case::new(LATER).evaluate("2026-11-30", "2026-12-03");
    let card = &evaluation.scorecards[0];
    assert!(card.periods.is_empty());
    assert!(card.headline().is_none());
}

#[test]
fn an_ended_term_is_headlined_by_its_last_period() {
    const ENDED: &str = "name: V\nterm: { start: 2026-01-01, end: 2026-02-28 }\nkpis:\n  - { id: wait, unit: seconds, better: lower, target: 60 }\n";
    let evaluation =
        Case::new(ENDED).value("2026-02-10", 0, 75.0).evaluate("2026-04-30", "2026-05-01");
    let card = &evaluation.scorecards[0];
    assert_eq!(card.periods.len(), 2);
    // 75 s, past 60 with no tolerance: breach, score 0.
    assert_eq!(
        card.headline().map(|p| (p.period.to_string(), p.score)),
        Some(("2026-02".to_owned(), Some(0.0)))
    );
}

#[test]
fn an_ended_term_raises_no_alert_of_figures_or_evidence_it_no_longer_owes() {
    const ENDED: &str = "name: V\nterm: { start: 2026-01-01, end: 2026-02-28 }\n\
        kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60 }\n\
        data_protection:\n  - { id: dpa, clause: EU only, evidence: Signed DPA, verified: 2026-01-10, valid_days: 30 }\n";
    // Built for December with the data as of February: the exports would be ten months behind
    // and the evidence long expired, but the term ended with February. Only February's breach
    // (75 s against 60 s), in the period holding as_of, is left.
    let evaluation =
        Case::new(ENDED).value("2026-02-10", 0, 75.0).evaluate("2026-02-28", "2026-12-03");
    assert_eq!(kinds(&evaluation), ["kpi_breach"]);

    // While the term runs, the same evidence is flagged.
    let running =
        Case::new(ENDED).value("2026-02-10", 0, 75.0).evaluate("2026-02-28", "2026-02-20");
    assert!(kinds(&running).contains(&"evidence_expired"), "{:?}", kinds(&running));
}
