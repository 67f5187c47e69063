//! Property tests: rules of the evaluation that hold for any contract and any rows, and parsers
//! that answer arbitrary text with a value or an error, never a panic.
//!
//! Projects are written to a temporary folder and run through the library's own load and
//! evaluate, so that each case goes through the same code as a build.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use vendorcard::evaluate::{self, Evaluation, status::Status};
use vendorcard::load::{self, Loaded};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 15).unwrap()
}

/// One KPI of a generated contract.
#[derive(Clone, Debug)]
struct KpiCase {
    higher: bool,
    target: i32,
    /// How far the tolerance lies from the target, on the allowed side.
    slack: u8,
    weight: u8,
    aggregate: &'static str,
    credit: u8,
}

/// A generated contract and its rows: (day of the year 2026, KPI, whole value).
#[derive(Clone, Debug)]
struct Case {
    kpis: Vec<KpiCase>,
    cap: Option<u8>,
    fee: u32,
    rows: Vec<(u16, usize, i32)>,
}

fn kpi_case() -> impl Strategy<Value = KpiCase> {
    (
        any::<bool>(),
        -50..200i32,
        1..40u8,
        1..5u8,
        prop::sample::select(vec!["mean", "median", "p90", "p95", "min", "max", "sum", "count"]),
        1..30u8,
    )
        .prop_map(|(higher, target, slack, weight, aggregate, credit)| KpiCase {
            higher,
            target,
            slack,
            weight,
            aggregate,
            credit,
        })
}

fn case() -> impl Strategy<Value = Case> {
    prop::collection::vec(kpi_case(), 1..4).prop_flat_map(|kpis| {
        let count = kpis.len();
        (
            Just(kpis),
            prop::option::of(1..40u8),
            1..100_000u32,
            prop::collection::vec((0..365u16, 0..count, -100..300i32), 0..60),
        )
            .prop_map(|(kpis, cap, fee, rows)| Case { kpis, cap, fee, rows })
    })
}

fn contract_text(case: &Case, exclusion: Option<(NaiveDate, NaiveDate)>) -> String {
    let mut text = format!(
        "name: Generated\nterm: {{ start: 2026-01-01, end: 2026-12-31 }}\nfee: {{ monthly: {}, currency: EUR }}\nkpis:\n",
        case.fee
    );
    for (index, kpi) in case.kpis.iter().enumerate() {
        let (better, tolerance) = if kpi.higher {
            ("higher", kpi.target - i32::from(kpi.slack))
        } else {
            ("lower", kpi.target + i32::from(kpi.slack))
        };
        writeln!(
            text,
            "  - {{ id: k{index}, name: K{index}, unit: count, better: {better}, target: {}, tolerance: {tolerance}, weight: {}, aggregate: {}, credit_percent: {} }}",
            kpi.target, kpi.weight, kpi.aggregate, kpi.credit
        )
        .unwrap();
    }
    if let Some(cap) = case.cap {
        writeln!(text, "credits: {{ cap_percent: {cap} }}").unwrap();
    }
    if let Some((from, to)) = exclusion {
        writeln!(text, "exclusions:\n  - {{ from: {from}, to: {to}, reason: Agreed outage }}")
            .unwrap();
    }
    text
}

/// The export's lines, each row on its own day and second so that no two rows tie.
fn export_lines(case: &Case) -> Vec<String> {
    case.rows
        .iter()
        .enumerate()
        .map(|(index, (day, kpi, value))| {
            let date =
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(*day));
            let (minutes, seconds) = (index / 60, index % 60);
            format!("{date}T00:{minutes:02}:{seconds:02},gen,k{kpi},{value}")
        })
        .collect()
}

fn write_project(dir: &Path, contract: &str, lines: &[String]) {
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    std::fs::create_dir_all(dir.join("kpis")).unwrap();
    std::fs::write(dir.join("contracts/gen.yaml"), contract).unwrap();
    // A fixed as_of, so that leaving out measurements never moves the periods scored.
    std::fs::write(dir.join("vendorcard.yaml"), "as_of: 2026-12-31\n").unwrap();
    let mut export = String::from("date,vendor,kpi,value\n");
    for line in lines {
        export.push_str(line);
        export.push('\n');
    }
    std::fs::write(dir.join("kpis/gen.csv"), export).unwrap();
}

fn evaluated(contract: &str, lines: &[String]) -> (Loaded, Evaluation) {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), contract, lines);
    let loaded = load::load(dir.path(), today(), None, None)
        .unwrap_or_else(|problems| panic!("{problems:?}\n{contract}"));
    let evaluation = evaluate::evaluate(&loaded.project, today());
    (loaded, evaluation)
}

fn scorecards_json(loaded: &Loaded, evaluation: &Evaluation) -> String {
    let mut out = Vec::new();
    vendorcard::render::json::scorecards_json(&loaded.project, evaluation, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn scores_stay_within_0_and_100(case in case()) {
        let (_, evaluation) = evaluated(&contract_text(&case, None), &export_lines(&case));
        for period in &evaluation.scorecards[0].periods {
            if let Some(score) = period.score {
                prop_assert!((0.0..=100.0).contains(&score), "{score} in {}", period.period);
            }
            for kpi in &period.kpis {
                if let Some(score) = kpi.score {
                    prop_assert!((0.0..=100.0).contains(&score), "{score} in {}", period.period);
                }
            }
        }
    }

    #[test]
    fn capped_credits_stay_under_the_cap_and_add_up_to_the_total(case in case()) {
        let (_, evaluation) = evaluated(&contract_text(&case, None), &export_lines(&case));
        for period in &evaluation.scorecards[0].periods {
            let credits = &period.credits;
            if let Some(cap) = case.cap {
                prop_assert!(credits.percent <= Decimal::from(cap), "{} over {cap}", credits.percent);
            }
            let parts: Vec<_> = credits.kpis.iter().flatten().collect();
            let percent: Decimal = parts.iter().map(|c| c.percent).sum();
            let before: Decimal = parts.iter().map(|c| c.percent_before_cap).sum();
            prop_assert!(percent <= before);
            // The parts add up to the capped total: exactly in money, to rounding in percent.
            prop_assert!((percent - credits.percent).abs() < Decimal::new(1, 6), "{percent} vs {}", credits.percent);
            if !parts.is_empty() {
                let amounts: Decimal = parts.iter().map(|c| c.amount.unwrap()).sum();
                prop_assert_eq!(Some(amounts), credits.amount);
            }
        }
    }

    #[test]
    fn the_order_of_an_exports_rows_changes_nothing(case in case(), seed in any::<u64>()) {
        let contract = contract_text(&case, None);
        let lines = export_lines(&case);
        let mut shuffled = lines.clone();
        fastrand::Rng::with_seed(seed).shuffle(&mut shuffled);
        let (loaded, evaluation) = evaluated(&contract, &lines);
        let (loaded_again, again) = evaluated(&contract, &shuffled);
        prop_assert_eq!(scorecards_json(&loaded, &evaluation), scorecards_json(&loaded_again, &again));
    }

    #[test]
    fn a_month_wholly_excluded_raises_no_credit_there_and_leaves_the_others_alone(
        case in case(),
        month in 1..=12u32,
    ) {
        let lines = export_lines(&case);
        let from = NaiveDate::from_ymd_opt(2026, month, 1).unwrap();
        let to = from + chrono::Months::new(1) - chrono::Days::new(1);
        let (_, plain) = evaluated(&contract_text(&case, None), &lines);
        let (_, excluded) = evaluated(&contract_text(&case, Some((from, to))), &lines);
        let plain = &plain.scorecards[0];
        let excluded = &excluded.scorecards[0];
        prop_assert_eq!(plain.periods.len(), excluded.periods.len());
        for (before, after) in plain.periods.iter().zip(&excluded.periods) {
            if before.period.contains(from) {
                // Wholly covered by the agreed exclusion, measured or not (see docs/design.md).
                for kpi in &after.kpis {
                    prop_assert!(kpi.credit.is_none(), "a credit in the excluded month");
                    prop_assert_eq!(kpi.status, Status::Excluded);
                }
            } else {
                prop_assert_eq!(&before.kpis, &after.kpis);
                prop_assert_eq!(&before.credits, &after.credits);
            }
        }
    }

    #[test]
    fn numbers_and_dates_parse_or_fail_without_panicking(text in "\\PC{0,40}") {
        let _ = load::values::parse_number(&text);
        let _ = load::values::parse_export_value(&text, vendorcard::model::DecimalMark::Point);
        let _ = load::values::parse_export_value(&text, vendorcard::model::DecimalMark::Comma);
        let _ = load::dates::parse_date(&text);
        let _ = load::dates::parse_as_of(&text);
        let _ = load::dates::parse_timestamp_offset(&text);
        let _ = evaluate::periods::Period::parse(&text);
    }

    #[test]
    fn short_numbers_read_exactly_as_rust_reads_them(
        negative in any::<bool>(),
        whole in "[0-9]{0,15}",
        fraction in proptest::option::of("[0-9]{0,15}"),
    ) {
        let text = format!(
            "{}{whole}{}",
            if negative { "-" } else { "" },
            fraction.map_or(String::new(), |f| format!(".{f}"))
        );
        let expected = text.parse::<f64>().ok().filter(|v| v.abs() <= vendorcard::model::LARGEST_VALUE);
        let read = load::values::parse_number(&text).ok();
        prop_assert_eq!(read.map(f64::to_bits), expected.map(f64::to_bits), "{}", text);
    }

    #[test]
    fn a_parsed_number_is_finite_and_bounded(text in "[-+0-9.eE%, ]{0,24}") {
        if let Ok(value) = load::values::parse_number(&text) {
            prop_assert!(value.is_finite() && value.abs() <= vendorcard::model::LARGEST_VALUE);
        }
    }

    #[test]
    fn contracts_and_settings_parse_or_fail_without_panicking(text in "(\\PC|[\\n\\t :{}\\[\\]-]){0,200}") {
        let _ = load::contracts::parse("contracts/x.yaml", "x", &text, evaluate::periods::PeriodKind::Month);
        let _ = vendorcard::config::parse_all("vendorcard.yaml", &text);
    }

    #[test]
    fn markdown_never_passes_markup_through(text in "(\\PC|[<>\"'&\\n])*") {
        let html = vendorcard::render::markdown::to_html(&text);
        prop_assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
        prop_assert!(!html.contains("<img"), "{html}");
    }
}

/// A hand-made check that the generator above reaches the rules it is meant to: a breach with
/// a credit, so the properties are not vacuous.
#[test]
fn the_generated_cases_reach_credits() {
    let case = Case {
        kpis: vec![KpiCase {
            higher: false,
            target: 60,
            slack: 30,
            weight: 1,
            aggregate: "mean",
            credit: 5,
        }],
        cap: Some(3),
        fee: 1000,
        rows: vec![(10, 0, 120), (11, 0, 100)],
    };
    let (_, evaluation) = evaluated(&contract_text(&case, None), &export_lines(&case));
    let january = &evaluation.scorecards[0].periods[0];
    // Mean 110 is worse than the tolerance of 90: a breach, credit 5 % capped at 3 % of 1000.
    assert_eq!(january.kpis[0].status, Status::Breach);
    assert_eq!(january.credits.percent, Decimal::from(3));
    assert_eq!(january.credits.amount, Some(Decimal::from(30)));
}
