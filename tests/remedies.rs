//! Contract remedies, one claim per test, on projects built in memory: credit tiers, the cap,
//! earn-back, exclusions and disputes. Expected values are worked out by hand above each.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use vendorcard::evaluate::aggregate::Origin;
use vendorcard::evaluate::credits::CreditState;
use vendorcard::evaluate::periods::{Period, PeriodKind};
use vendorcard::evaluate::remedies::StateNote;
use vendorcard::evaluate::status::Status;
use vendorcard::evaluate::{Evaluation, Exclusion, evaluate};
use vendorcard::load::contracts;
use vendorcard::load::fold::{Fold, Window};
use vendorcard::model::{Measurements, Project, Settings};

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// Builds a one-vendor project, folding `values` (date, KPI index, value) as a load would, so
/// that exclusions apply.
fn evaluate_case(contract: &str, values: &[(&str, usize, f64)], as_of: &str) -> Evaluation {
    let contract = contracts::parse("contracts/v.yaml", "v", contract, PeriodKind::Month).unwrap();
    let contracts = vec![contract];
    let mut fold = Fold::new(&contracts, Window { kind: PeriodKind::Month, as_of: None });
    for (row, (on, kpi, value)) in (1..).zip(values) {
        let at = NaiveDateTime::new(date(on), chrono::NaiveTime::MIN);
        fold.add(0, *kpi, at, *value, Origin { file: 0, row });
    }
    let mut measurements = Measurements::default();
    fold.merge_into(&mut measurements, &mut Default::default());
    let project = Project {
        settings: Settings::default(),
        contracts,
        measurements,
        surveys: Default::default(),
        reviews: Vec::new(),
        as_of: date(as_of),
    };
    evaluate(&project, date(as_of))
}

const AVAILABILITY: &str = "name: V\nterm: { start: 2026-01-01, end: 2026-12-31 }\nfee: { monthly: 10000, currency: EUR }\n\
    kpis:\n  - id: availability\n    unit: percent\n    better: higher\n    target: 99.9\n    tolerance: 99.0\n    aggregate: min\n\
    \x20   credit_tiers:\n      - { worse_than: 99.9, percent: 10 }\n      - { worse_than: 99.0, percent: 25 }\n      - { worse_than: 95.0, percent: 100 }\n\
    credits: { cap_percent: 30 }\n";

fn credit(
    evaluation: &Evaluation,
    period: usize,
    kpi: usize,
) -> Option<vendorcard::evaluate::credits::Credit> {
    evaluation.scorecards[0].periods[period].kpis[kpi].credit.clone()
}

#[test]
fn a_tier_value_itself_does_not_cross_it() {
    // January's worst day is exactly 99.9: no tier is crossed (met, no credit). February's is
    // 98.99, worse than 99.9 and 99.0: the larger, 25 %, is owed, of 10,000 = 2,500.00.
    let evaluation = evaluate_case(
        AVAILABILITY,
        &[("2026-01-10", 0, 99.9), ("2026-02-10", 0, 98.99)],
        "2026-02-28",
    );
    assert!(credit(&evaluation, 0, 0).is_none());
    let february = credit(&evaluation, 1, 0).unwrap();
    assert_eq!(
        (february.percent, february.tier, february.amount),
        (dec("25"), Some(1), Some(dec("2500.00")))
    );
}

#[test]
fn tiers_are_owed_whatever_the_status() {
    // 99.5 is within the tolerance (at risk, not a breach) but worse than the 99.9 tier: 10 %.
    let evaluation = evaluate_case(AVAILABILITY, &[("2026-01-10", 0, 99.5)], "2026-01-31");
    let january = &evaluation.scorecards[0].periods[0].kpis[0];
    assert_eq!(january.status, Status::AtRisk);
    assert_eq!(january.credit.as_ref().map(|c| c.percent), Some(dec("10")));
}

#[test]
fn a_missing_period_owes_the_largest_tier_up_to_the_cap() {
    // No value in January: 100 % is raised, capped at 30 %: 3,000.00, marked capped.
    let evaluation = evaluate_case(AVAILABILITY, &[], "2026-01-31");
    let january = credit(&evaluation, 0, 0).unwrap();
    assert_eq!(
        (january.percent_before_cap, january.percent, january.capped),
        (dec("100"), dec("30"), true)
    );
    assert_eq!(january.amount, Some(dec("3000.00")));
}

const EARN_BACK: &str = "name: V\nterm: { start: 2026-01-01, end: 2026-06-30 }\nfee: { monthly: 1000, currency: EUR }\n\
    kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, tolerance: 90, credit_percent: 5 }\n\
    credits: { earn_back_periods: 2 }\n";

fn state(evaluation: &Evaluation, period: usize) -> (CreditState, StateNote) {
    let credit = credit(evaluation, period, 0).unwrap();
    (credit.state, credit.note)
}

#[test]
fn a_credit_met_back_in_the_next_periods_is_earned_back() {
    // January breaches (100 s); February and March are met (50 s): January's 5 % is waived.
    let values = [("2026-01-10", 0, 100.0), ("2026-02-10", 0, 50.0), ("2026-03-10", 0, 50.0)];
    let evaluation = evaluate_case(EARN_BACK, &values, "2026-03-31");
    let march = Period::parse("2026-03").unwrap();
    assert_eq!(
        state(&evaluation, 0),
        (CreditState::EarnedBack, StateNote::EarnedBack { through: march })
    );
    let card = &evaluation.scorecards[0];
    assert_eq!(
        (card.periods[0].credits.totals.earned_back, card.periods[0].credits.totals.owed),
        (dec("50.00"), dec("0"))
    );
    assert_eq!((card.credits_term.earned_back, card.credits_term.owed), (dec("50.00"), dec("0")));
}

#[test]
fn a_miss_during_the_window_makes_the_credit_owed() {
    // January breaches; February is at risk (70 s), which is not met: January's credit is owed.
    let values = [("2026-01-10", 0, 100.0), ("2026-02-10", 0, 70.0), ("2026-03-10", 0, 50.0)];
    let evaluation = evaluate_case(EARN_BACK, &values, "2026-03-31");
    let february = Period::parse("2026-02").unwrap();
    assert_eq!(state(&evaluation, 0), (CreditState::Owed, StateNote::MissedIn(february)));
    // Owed from February, where it was missed: that period's invoice, not January's.
    assert_eq!(credit(&evaluation, 0, 0).unwrap().owed_in, Some(february));
    let card = &evaluation.scorecards[0];
    assert_eq!(
        (card.periods[0].owed_for_period(), card.periods[1].owed_from_earlier),
        (dec("0"), dec("50.00"))
    );
}

#[test]
fn a_credit_whose_window_is_still_open_is_pending() {
    // January breaches, February is met, and as_of is February: one of two periods so far.
    let evaluation = evaluate_case(
        EARN_BACK,
        &[("2026-01-10", 0, 100.0), ("2026-02-10", 0, 50.0)],
        "2026-02-28",
    );
    assert_eq!(
        state(&evaluation, 0),
        (CreditState::Pending, StateNote::Earning { met: 1, needed: 2 })
    );
    assert_eq!(evaluation.scorecards[0].credits_term.pending, dec("50.00"));
}

#[test]
fn a_credit_whose_window_outlasts_the_term_is_owed() {
    // May breaches; June is met, and the term ends with June: the window of two cannot close.
    let values = [("2026-05-10", 0, 100.0), ("2026-06-10", 0, 50.0)];
    let evaluation = evaluate_case(EARN_BACK, &values, "2026-06-30");
    assert_eq!(state(&evaluation, 4), (CreditState::Owed, StateNote::TermEnds));
    // Certain from May itself: only June was left of a window of two.
    assert_eq!(credit(&evaluation, 4, 0).unwrap().owed_in, Period::parse("2026-05"));
}

#[test]
fn a_credit_the_term_turns_out_too_short_to_earn_back_is_owed_when_that_is_known() {
    const EXCLUDED_MAY: &str = "name: V\nterm: { start: 2026-01-01, end: 2026-06-30 }\n\
        fee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, credit_percent: 10 }\n\
        credits: { earn_back_periods: 2 }\n\
        exclusions:\n  - { from: 2026-05-01, to: 2026-05-31, reason: Data centre move }\n";
    // April breaches (100 s): 10 % = 100.00 EUR, to be earned back in May and June. As of
    // April it is pending; May is then excluded, so only June is left, and from May the
    // credit is owed: May's to invoice, not April's.
    let values = [
        ("2026-01-10", 0, 50.0),
        ("2026-02-10", 0, 50.0),
        ("2026-03-10", 0, 50.0),
        ("2026-04-10", 0, 100.0),
        ("2026-05-10", 0, 50.0),
        ("2026-06-10", 0, 50.0),
    ];
    let april = evaluate_case(EXCLUDED_MAY, &values, "2026-04-30");
    assert_eq!(credit(&april, 3, 0).unwrap().state, CreditState::Pending);
    let may = evaluate_case(EXCLUDED_MAY, &values, "2026-05-31");
    let credit = credit(&may, 3, 0).unwrap();
    assert_eq!((credit.state, credit.note), (CreditState::Owed, StateNote::TermEnds));
    assert_eq!(credit.owed_in, Period::parse("2026-05"));
    let card = &may.scorecards[0];
    assert_eq!(
        (card.periods[3].owed_for_period(), card.periods[4].owed_from_earlier),
        (dec("0"), dec("100.00"))
    );
}

#[test]
fn excluded_periods_are_passed_over_in_the_window() {
    const WITH_EXCLUSION: &str = "name: V\nterm: { start: 2026-01-01 }\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, credit_percent: 5 }\n\
        credits: { earn_back_periods: 2 }\n\
        exclusions:\n  - { from: 2026-02-01, to: 2026-02-28, reason: Office move }\n";
    // January breaches; February's only value (200 s) is excluded, so February does not count;
    // March and April are met: earned back through April.
    let values = [
        ("2026-01-10", 0, 100.0),
        ("2026-02-10", 0, 200.0),
        ("2026-03-10", 0, 50.0),
        ("2026-04-10", 0, 50.0),
    ];
    let evaluation = evaluate_case(WITH_EXCLUSION, &values, "2026-04-30");
    assert_eq!(
        state(&evaluation, 0),
        (
            CreditState::EarnedBack,
            StateNote::EarnedBack { through: Period::parse("2026-04").unwrap() }
        )
    );
    let february = &evaluation.scorecards[0].periods[1].kpis[0];
    assert_eq!(
        (february.status, february.exclusion),
        (Status::Excluded, Some(Exclusion::Agreed { index: 0 }))
    );
}

const EXCLUSIONS: &str = "name: V\nterm: { start: 2026-01-01 }\nfee: { monthly: 1000, currency: EUR }\n\
    kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, credit_percent: 5 }\n\
    \x20 - { id: csat, unit: percent, better: higher, target: 80, credit_percent: 5 }\n\
    exclusions:\n\
    \x20 - { kpi: wait, from: 2026-01-04, to: 2026-01-06, reason: Regional power outage }\n\
    \x20 - { kpi: wait, from: 2026-01-06, to: 2026-01-08, reason: Storm }\n";

#[test]
fn an_exclusion_can_turn_a_breach_into_a_met_period() {
    // Waits of 200 s on the 5th and 7th fall in the (overlapping) exclusions; 40 s on the 10th
    // is all that is left: met, no credit. csat is not excluded: 75 on the 5th is a breach.
    let values = [
        ("2026-01-05", 0, 200.0),
        ("2026-01-07", 0, 200.0),
        ("2026-01-10", 0, 40.0),
        ("2026-01-05", 1, 75.0),
    ];
    let evaluation = evaluate_case(EXCLUSIONS, &values, "2026-01-31");
    let january = &evaluation.scorecards[0].periods[0];
    assert_eq!(
        (january.kpis[0].status, january.kpis[0].actual, january.kpis[0].count),
        (Status::Met, Some(40.0), 1)
    );
    assert!(january.kpis[0].credit.is_none());
    assert_eq!(january.kpis[1].status, Status::Breach);
}

#[test]
fn a_period_left_empty_by_an_exclusion_is_excluded_not_missing() {
    let evaluation = evaluate_case(
        EXCLUSIONS,
        &[("2026-01-05", 0, 200.0), ("2026-01-05", 1, 90.0)],
        "2026-01-31",
    );
    let wait = &evaluation.scorecards[0].periods[0].kpis[0];
    assert_eq!(
        (wait.status, wait.score, wait.exclusion),
        (Status::Excluded, None, Some(Exclusion::Agreed { index: 0 }))
    );
    assert!(wait.credit.is_none());
    // Only csat is scored: 90 is met, 100.
    assert_eq!(evaluation.scorecards[0].periods[0].score, Some(100.0));
}

const DISPUTES: &str = "name: V\nterm: { start: 2026-01-01 }\nfee: { monthly: 1000, currency: EUR }\n\
    kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, credit_percent: 5 }\n\
    \x20 - { id: csat, unit: percent, better: higher, target: 80, credit_percent: 3 }\n\
    disputes:\n\
    \x20 - { kpi: wait, period: 2026-01, raised: 2026-02-03, status: open, text: The wait-time probe was down }\n\
    \x20 - { kpi: csat, period: 2026-01, raised: 2026-02-03, status: upheld, text: Survey tool outage }\n\
    \x20 - { kpi: wait, period: 2026-02, raised: 2026-03-02, status: rejected, text: Peak was forecast }\n";

#[test]
fn an_open_dispute_holds_the_credit_and_an_upheld_one_excludes_the_period() {
    // January: wait 100 s breaches, 5 % = 50.00, disputed (open); csat 70 would breach, but the
    // dispute was upheld: excluded, actual still shown, no credit.
    // February: wait 100 s breaches and the dispute was rejected: owed, 50.00.
    let values = [
        ("2026-01-10", 0, 100.0),
        ("2026-01-10", 1, 70.0),
        ("2026-02-10", 0, 100.0),
        ("2026-02-10", 1, 90.0),
    ];
    let evaluation = evaluate_case(DISPUTES, &values, "2026-02-28");
    let card = &evaluation.scorecards[0];
    let raised = date("2026-02-03");
    assert_eq!(state(&evaluation, 0), (CreditState::Disputed, StateNote::Disputed { raised }));
    let csat = &card.periods[0].kpis[1];
    assert_eq!(
        (csat.status, csat.actual, csat.exclusion),
        (Status::Excluded, Some(70.0), Some(Exclusion::DisputeUpheld))
    );
    assert!(csat.credit.is_none());
    assert_eq!(state(&evaluation, 1), (CreditState::Owed, StateNote::Owed));
    // Held by the dispute until it was rejected; with no date of the decision, from the day it
    // was raised, 2 March. As of February, the last period scored, that is February's.
    assert_eq!(credit(&evaluation, 1, 0).unwrap().owed_in, Period::parse("2026-02"));
    let later = evaluate_case(DISPUTES, &values, "2026-03-31");
    assert_eq!(credit(&later, 1, 0).unwrap().owed_in, Period::parse("2026-03"));
    assert_eq!((card.credits_term.disputed, card.credits_term.owed), (dec("50.00"), dec("50.00")));
}

#[test]
fn room_left_by_a_disputed_credit_is_not_given_to_another() {
    const CAPPED: &str = "name: V\nterm: { start: 2026-01-01 }\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, credit_percent: 6 }\n\
        \x20 - { id: csat, unit: percent, better: higher, target: 80, credit_percent: 6 }\n\
        credits: { cap_percent: 6 }\n\
        disputes:\n  - { kpi: wait, period: 2026-01, raised: 2026-02-03, status: open, text: Probe down }\n";
    // Both breach: 6 % + 6 % = 12 % against a cap of 6 %, so 3 % each; wait's is disputed, and
    // csat still owes only 3 % (30.00), not the full 6 %.
    let evaluation =
        evaluate_case(CAPPED, &[("2026-01-10", 0, 100.0), ("2026-01-10", 1, 70.0)], "2026-01-31");
    let january = &evaluation.scorecards[0].periods[0].credits;
    assert_eq!(
        (january.totals.disputed, january.totals.owed, january.percent),
        (dec("30.00"), dec("30.00"), dec("6"))
    );
}

#[test]
fn a_rejected_dispute_s_credit_is_owed_from_the_day_it_was_decided() {
    let decided = DISPUTES.replace(
        "status: rejected, text: Peak was forecast",
        "status: rejected, decided: 2026-04-10, text: Peak was forecast",
    );
    // February's wait breach (100 s) owes 5 % = 50.00 EUR; its dispute was raised on 2 March
    // and rejected on 10 April, so the credit is April's to invoice.
    let values = [("2026-02-10", 0, 100.0), ("2026-03-10", 0, 50.0), ("2026-04-10", 0, 50.0)];
    let evaluation = evaluate_case(&decided, &values, "2026-04-30");
    let credit = credit(&evaluation, 1, 0).unwrap();
    assert_eq!((credit.state, credit.owed_in), (CreditState::Owed, Period::parse("2026-04")));
    assert_eq!(evaluation.scorecards[0].periods[3].owed_from_earlier, dec("50.00"));

    // Decided only with a decision, and not before it was raised.
    let open = DISPUTES.replace(
        "status: open, text: The wait-time probe was down",
        "status: open, decided: 2026-02-10, text: The wait-time probe was down",
    );
    assert!(problems(&open).iter().any(|p| p.contains("an open dispute has not been decided")));
    let early = DISPUTES.replace(
        "status: rejected, text: Peak was forecast",
        "status: rejected, decided: 2026-03-01, text: Peak was forecast",
    );
    assert!(
        problems(&early)
            .iter()
            .any(|p| p.contains("decided on 2026-03-01, before it was raised on 2026-03-02")),
        "{:?}",
        problems(&early)
    );
}

#[test]
fn a_credit_rejected_after_the_term_ended_is_owed_in_its_last_period() {
    const LAST_MONTH: &str = "name: V\nterm: { start: 2026-01-01, end: 2026-06-30 }\n\
        fee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: up, unit: percent, better: higher, target: 99, credit_percent: 10 }\n\
        disputes:\n  - { kpi: up, period: 2026-06, raised: 2026-07-03, status: rejected, decided: 2026-07-10, text: Probe down }\n";
    // June, the term's last month, breaches (98 %): 10 % = 100.00 EUR, disputed after the term
    // and rejected on 10 July. No period of the term holds July, so the credit is owed in June,
    // the last period scored, not in none.
    let values: Vec<(&str, usize, f64)> =
        ["2026-01-10", "2026-02-10", "2026-03-10", "2026-04-10", "2026-05-10"]
            .into_iter()
            .map(|on| (on, 0, 99.5))
            .chain([("2026-06-10", 0, 98.0)])
            .collect();
    let evaluation = evaluate_case(LAST_MONTH, &values, "2026-06-30");
    let june = credit(&evaluation, 5, 0).unwrap();
    assert_eq!((june.state, june.owed_in), (CreditState::Owed, Period::parse("2026-06")));
    assert_eq!(evaluation.scorecards[0].periods[5].owed_for_period(), dec("100.00"));
}

fn problems(contract: &str) -> Vec<String> {
    contracts::parse("contracts/v.yaml", "v", contract, PeriodKind::Month)
        .unwrap_err()
        .problems
        .into_iter()
        .map(|d| format!("{}:{} {}", d.line.unwrap_or(0), d.column.unwrap_or(0), d.message))
        .collect()
}

#[test]
fn tiers_out_of_order_or_above_the_target_are_errors() {
    let contract =
        AVAILABILITY.replace("worse_than: 99.0, percent: 25", "worse_than: 99.95, percent: 25");
    let found = problems(&contract);
    assert!(found.iter().any(|p| p.contains("is above the target 99.9")), "{found:?}");
    assert!(found.iter().any(|p| p.contains("from the mildest to the most severe")), "{found:?}");
    let both =
        AVAILABILITY.replace("    aggregate: min\n", "    aggregate: min\n    credit_percent: 2\n");
    assert!(
        problems(&both).iter().any(|p| p.contains("`credit_percent` or `credit_tiers`, not both"))
    );
}

#[test]
fn disputes_and_exclusions_must_name_a_kpi_and_a_period_of_the_term() {
    let contract = "name: V\nterm: { start: 2026-01-01, end: 2026-06-30 }\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, credit_percent: 5 }\n\
        credits: { earn_back_periods: 0 }\n\
        exclusions:\n  - { kpi: wiat, from: 2026-02-01, to: 2026-02-02, reason: Outage }\n\
        \x20 - { from: 2027-02-01, to: 2027-02-02, reason: Later }\n\
        disputes:\n  - { kpi: wait, period: 2026-09, raised: 2026-10-01, status: open, text: Late }\n\
        \x20 - { kpi: wait, period: 2026-03, raised: 2026-04-01, status: open, text: One }\n\
        \x20 - { kpi: wait, period: 2026-03, raised: 2026-04-02, status: rejected, text: Two }\n\
        \x20 - { kpi: wait, period: 2026-Q1, raised: 2026-04-02, status: open, text: Three }\n";
    let found = problems(contract);
    let has = |text: &str| found.iter().any(|p| p.contains(text));
    assert!(has("`earn_back_periods` must be at least 1"), "{found:?}");
    assert!(has("the contract declares no KPI `wiat`"), "{found:?}");
    assert!(has("the exclusion lies outside the contract's term"), "{found:?}");
    assert!(has("2026-09 lies outside the contract's term"), "{found:?}");
    assert!(has("a second dispute for `wait` in 2026-03"), "{found:?}");
    assert!(has("`2026-Q1` is not a period of this site"), "{found:?}");
    assert_eq!(found.len(), 6, "{found:#?}");
}

fn evaluate_in(
    kind: PeriodKind,
    contract: &str,
    values: &[(&str, usize, f64)],
    as_of: &str,
) -> Evaluation {
    let contract = contracts::parse("contracts/v.yaml", "v", contract, kind).unwrap();
    let contracts = vec![contract];
    let mut fold = Fold::new(&contracts, Window { kind, as_of: Some(date(as_of)) });
    for (row, (on, kpi, value)) in (1..).zip(values) {
        let at = NaiveDateTime::new(date(on), chrono::NaiveTime::MIN);
        fold.add(0, *kpi, at, *value, Origin { file: 0, row });
    }
    let mut measurements = Measurements::default();
    fold.merge_into(&mut measurements, &mut Default::default());
    let settings = Settings { period: kind, ..Settings::default() };
    let project = Project {
        settings,
        contracts,
        measurements,
        surveys: Default::default(),
        reviews: Vec::new(),
        as_of: date(as_of),
    };
    evaluate(&project, date(as_of))
}

#[test]
fn a_quarter_cut_short_by_the_term_is_measured_in_the_term_s_last_month() {
    const STUB: &str = "name: V\nterm: { start: 2026-07-01, end: 2026-11-30 }\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: q, unit: count, better: lower, target: 5, credit_percent: 4, measured: quarterly }\n";
    // Q4 runs past the term's end in November: it is measured over October and November, in
    // November. 9 is past 5: breach, 4 % of 1,000 = 40.00, as in September for Q3.
    let values = [("2026-09-10", 0, 9.0), ("2026-10-10", 0, 9.0), ("2026-11-10", 0, 9.0)];
    let evaluation = evaluate_in(PeriodKind::Month, STUB, &values, "2026-11-30");
    let card = &evaluation.scorecards[0];
    let statuses: Vec<Status> = card.periods.iter().map(|p| p.kpis[0].status).collect();
    assert_eq!(
        statuses,
        [Status::NotDue, Status::NotDue, Status::Breach, Status::NotDue, Status::Breach]
    );
    assert_eq!(card.credits_term.owed, dec("80.00"));
}

#[test]
fn a_quarter_straddling_the_transition_is_measured_on_its_due_months() {
    const TRANSITION: &str = "name: V\nterm: { start: 2026-01-01 }\nservice_levels_from: 2026-03-01\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: q, unit: count, better: lower, target: 5, credit_percent: 4, measured: quarterly }\n";
    // January's 20 falls in the transition; only March's 4 counts: met, no credit.
    let evaluation = evaluate_in(
        PeriodKind::Month,
        TRANSITION,
        &[("2026-01-10", 0, 20.0), ("2026-03-10", 0, 4.0)],
        "2026-03-31",
    );
    let march = &evaluation.scorecards[0].periods[2].kpis[0];
    assert_eq!((march.status, march.actual), (Status::Met, Some(4.0)));
}

#[test]
fn earn_back_waits_for_a_period_to_end() {
    const ONE: &str = "name: V\nterm: { start: 2026-07-01 }\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: a, unit: percent, better: higher, target: 90, credit_percent: 5 }\n\
        credits: { earn_back_periods: 1 }\n";
    // July breaches (80); as_of is 5 August, and August so far is met (95): August has not
    // ended, so July's credit is still pending, not waived on four days of figures.
    let evaluation = evaluate_in(
        PeriodKind::Month,
        ONE,
        &[("2026-07-10", 0, 80.0), ("2026-08-03", 0, 95.0)],
        "2026-08-05",
    );
    let july = evaluation.scorecards[0].periods[0].kpis[0].credit.clone().unwrap();
    assert_eq!(
        (july.state, july.note),
        (CreditState::Pending, StateNote::Earning { met: 0, needed: 1 })
    );
}

#[test]
fn a_quarter_the_term_covers_in_part_is_billed_for_its_months_in_the_term() {
    const SHORT: &str = "name: V\nterm: { start: 2026-02-15, end: 2026-10-31 }\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: a, unit: percent, better: higher, target: 90, credit_percent: 5 }\n";
    // Q1 covers February and March: 5 % of 2 × 1,000 = 100.00. Q4 covers October: 50.00.
    let values = [
        ("2026-03-10", 0, 80.0),
        ("2026-05-10", 0, 95.0),
        ("2026-08-10", 0, 95.0),
        ("2026-10-10", 0, 80.0),
    ];
    let evaluation = evaluate_in(PeriodKind::Quarter, SHORT, &values, "2026-10-31");
    let amounts: Vec<Option<Decimal>> =
        evaluation.scorecards[0].periods.iter().map(|p| p.credits.amount).collect();
    assert_eq!(amounts, [Some(dec("100.00")), Some(dec("0")), Some(dec("0")), Some(dec("50.00"))]);
}

#[test]
fn a_period_covered_by_exclusions_owes_nothing_even_without_data() {
    const CLOSED: &str = "name: V\nterm: { start: 2026-01-01 }\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: a, unit: percent, better: higher, target: 90, credit_percent: 5 }\n\
        exclusions:\n  - { from: 2026-02-01, to: 2026-02-14, reason: Site closed }\n  - { from: 2026-02-15, to: 2026-02-28, reason: Still closed }\n";
    // Nothing reported in February, and the two exclusions cover it from end to end.
    let evaluation =
        evaluate_in(PeriodKind::Month, CLOSED, &[("2026-01-10", 0, 95.0)], "2026-02-28");
    let february = &evaluation.scorecards[0].periods[1];
    assert_eq!(
        (february.kpis[0].status, february.kpis[0].exclusion),
        (Status::Excluded, Some(Exclusion::Agreed { index: 0 }))
    );
    assert!(february.kpis[0].credit.is_none());
    assert_eq!(february.score, None);
}

#[test]
fn a_fee_more_precise_than_its_currency_is_an_error() {
    let contract = "name: V\nterm: { start: 2026-01-01 }\nfee: { monthly: 1000.016, currency: EUR }\n\
        kpis:\n  - { id: a, unit: percent, better: higher, target: 90, credit_percent: 5 }\n";
    assert!(problems(contract).iter().any(|p| p.contains("has more decimals than EUR's 2")));
}

#[test]
fn earn_back_counts_the_term_s_last_month_when_it_measures_a_quarter() {
    const SHORT: &str = "name: V\nterm: { start: 2026-01-01, end: 2026-08-10 }\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: q, unit: count, better: lower, target: 5, credit_percent: 4, measured: quarterly }\n\
        credits: { earn_back_periods: 2 }\n";
    // Q1 breaches (50 past 5), measured in March. Two measured periods follow before the term
    // ends: June for Q2, and August for Q3, which the term cuts short. On 30 April neither has
    // come, so the credit can still be earned back: pending, not owed.
    let evaluation =
        evaluate_in(PeriodKind::Month, SHORT, &[("2026-02-05", 0, 50.0)], "2026-04-30");
    let march = evaluation.scorecards[0].periods[2].kpis[0].credit.clone().unwrap();
    assert_eq!(
        (march.state, march.note),
        (CreditState::Pending, StateNote::Earning { met: 0, needed: 2 })
    );
}

#[test]
fn a_quarter_whose_due_months_are_all_excluded_is_excluded() {
    const LATE_START: &str = "name: V\nterm: { start: 2026-01-01 }\nservice_levels_from: 2026-02-01\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: q, unit: count, better: lower, target: 5, credit_percent: 4, measured: quarterly }\n\
        exclusions:\n  - { from: 2026-02-01, to: 2026-03-31, reason: Migration }\n";
    // Q1 is measured over February and March, the months in which service levels apply, and
    // the exclusion covers both: excluded, owing nothing, though January is not covered.
    let evaluation = evaluate_in(PeriodKind::Month, LATE_START, &[], "2026-03-31");
    let march = &evaluation.scorecards[0].periods[2].kpis[0];
    assert_eq!(
        (march.status, march.exclusion),
        (Status::Excluded, Some(Exclusion::Agreed { index: 0 }))
    );
    assert!(march.credit.is_none());
}

#[test]
fn a_dispute_of_a_quarterly_kpi_names_the_month_that_measures_its_quarter() {
    const QUARTERLY: &str = "name: V\nterm: { start: 2026-01-01, end: 2026-08-10 }\nfee: { monthly: 1000, currency: EUR }\n\
        kpis:\n  - { id: q, unit: count, better: lower, target: 5, credit_percent: 4, measured: quarterly }\n\
        disputes:\n  - { kpi: q, period: 2026-02, raised: 2026-04-01, status: upheld, text: Wrong month }\n\
        \x20 - { kpi: q, period: 2026-03, raised: 2026-04-01, status: open, text: Q1 }\n\
        \x20 - { kpi: q, period: 2026-09, raised: 2026-09-01, status: open, text: After the term }\n\
        \x20 - { kpi: q, period: 2026-07, raised: 2026-08-01, status: open, text: Before the end }\n\
        \x20 - { kpi: q, period: 2026-08, raised: 2026-08-11, status: open, text: Q3 }\n";
    // Q1 is measured in March; Q3, cut short by the term on 10 August, in August.
    let found = problems(QUARTERLY);
    let has = |text: &str| found.iter().any(|p| p.contains(text));
    assert!(
        has("so 2026-02 has no result to dispute: its quarter is measured in 2026-03"),
        "{found:?}"
    );
    assert!(
        has("so 2026-07 has no result to dispute: its quarter is measured in 2026-08"),
        "{found:?}"
    );
    assert!(has("2026-09 lies outside the contract's term"), "{found:?}");
    assert_eq!(found.len(), 3, "{found:#?}");
}
