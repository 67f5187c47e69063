//! How numbers, money and dates read on a page. Files for machines (JSON, CSV) do not use these.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use smallvec::SmallVec;

use crate::evaluate::rounding::round_half_away;
use crate::model::{CreditRule, Fee, Kpi, Unit};

/// Escapes text for HTML or SVG, as the templates do.
pub fn escape(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    // Writing to a Vec cannot fail.
    let _ = tera::escape_html(text, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// A number as a reader wants it: at most two decimals (three below 1), no trailing zeros,
/// thousands grouped.
pub fn number(value: f64) -> String {
    let places = usual_places(value);
    shown(round_half_away(value, places), places)
}

fn usual_places(value: f64) -> u32 {
    if value.abs() < 1.0 && value != 0.0 { 3 } else { 2 }
}

/// The places an actual is compared at: a KPI's actual is rounded to six before any threshold.
const COMPARED_PLACES: u32 = 6;

/// A number shown with as many more decimals, up to the six it is compared at, as it takes to
/// stand on the same side of each threshold as the value itself. Rounded as usual, 84.997857
/// would read `85` beside a target of at least 85 that it misses.
pub fn number_against(value: f64, thresholds: &[f64]) -> String {
    let side = |number: f64, threshold: f64| number.partial_cmp(&threshold);
    let (rounded, places) = (usual_places(value)..=COMPARED_PLACES)
        .map(|places| (round_half_away(value, places), places))
        .find(|(rounded, _)| thresholds.iter().all(|t| side(*rounded, *t) == side(value, *t)))
        .unwrap_or((round_half_away(value, COMPARED_PLACES), COMPARED_PLACES));
    shown(rounded, places)
}

/// A number already rounded to `places`, without trailing zeros and with thousands grouped.
fn shown(rounded: f64, places: u32) -> String {
    let text = format!("{rounded:.places$}", places = usize::try_from(places).unwrap_or(2));
    let text =
        if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    let text = if text == "-0" { "0" } else { text };
    group_thousands(text)
}

fn group_thousands(text: &str) -> String {
    let (sign, rest) = text.strip_prefix('-').map_or(("", text), |rest| ("-", rest));
    let (whole, fraction) = rest.split_once('.').map_or((rest, None), |(w, f)| (w, Some(f)));
    if whole.len() <= 3 {
        return text.to_owned();
    }
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A measured value with its unit: `48 s`, `97.5%`, `3.2 h`.
pub fn measure(value: f64, unit: Unit, currency: Option<&str>) -> String {
    with_unit(number(value), unit, currency)
}

/// A KPI's actual with its unit, on the same side of the KPI's target, tolerance and credit
/// tiers as the value compared with them (see [`number_against`]).
pub fn actual(value: f64, kpi: &Kpi, currency: Option<&str>) -> String {
    // Most KPIs have a target, a tolerance and a tier or two: kept on the stack, since every
    // actual of every page comes through here.
    let mut thresholds: SmallVec<[f64; 8]> =
        [Some(kpi.target), kpi.tolerance].into_iter().flatten().collect();
    if let CreditRule::Tiers(tiers) = &kpi.credit {
        thresholds.extend(tiers.iter().map(|tier| tier.worse_than));
    }
    with_unit(number_against(value, &thresholds), kpi.unit, currency)
}

fn with_unit(shown: String, unit: Unit, currency: Option<&str>) -> String {
    match unit {
        Unit::Seconds => format!("{shown} s"),
        Unit::Minutes => format!("{shown} min"),
        Unit::Hours => format!("{shown} h"),
        Unit::Days => format!("{shown} d"),
        Unit::Percent => format!("{shown}%"),
        Unit::Currency => currency.map_or(shown.clone(), |code| format!("{shown} {code}")),
        Unit::Count | Unit::Score | Unit::Ratio => shown,
    }
}

/// A score out of 100, always with two decimals as it is graded.
pub fn score(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"))
}

/// A percentage of the fee as a reader wants it, to two decimals at most: `5%`, `4.29%`. The
/// JSON and CSV files keep six.
pub fn percent(value: Decimal) -> String {
    let rounded =
        value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{}%", rounded.normalize())
}

/// A percentage to the six decimals the data files keep, trailing zeros dropped: `4.545455%`,
/// `5%`; for a percent scaled by the cap, which a reader works an amount out from.
pub fn exact_percent(value: Decimal) -> String {
    let rounded =
        value.round_dp_with_strategy(6, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{}%", rounded.normalize())
}

/// Money in its currency's minor unit: `1,234.50 EUR`.
pub fn money(amount: Decimal, fee: &Fee) -> String {
    let rounded = crate::evaluate::rounding::round_money(amount, fee.minor_digits);
    let text = format!("{:.*}", usize::try_from(fee.minor_digits).unwrap_or(2), rounded);
    format!("{} {}", group_thousands(&text), fee.currency)
}

/// A date as people read it on a scorecard: `3 Dec 2026`.
pub fn date(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn numbers_drop_trailing_zeros_and_group_thousands() {
        assert_eq!(number(48.0), "48");
        assert_eq!(number(74.25), "74.25");
        assert_eq!(number(97.5), "97.5");
        assert_eq!(number(0.1234), "0.123");
        assert_eq!(number(12345.678), "12,345.68");
        assert_eq!(number(1234.0), "1,234");
        assert_eq!(number(-1_234_567.0), "-1,234,567");
        assert_eq!(number(-0.0001), "0");
    }

    #[test]
    fn an_actual_shows_the_decimals_that_keep_it_on_its_side_of_a_threshold() {
        // 1,983 of 2,333 calls answered is 84.997857%: below a target of 85, so not `85`.
        assert_eq!(number_against(84.997_857, &[85.0]), "84.998");
        assert_eq!(number_against(59.999_6, &[60.0, 90.0]), "59.9996");
        assert_eq!(number_against(60.000_001, &[60.0]), "60.000001");
        // Far from every threshold, or on one, it reads as any number.
        assert_eq!(number_against(84.997_857, &[90.0]), "85");
        assert_eq!(number_against(85.0, &[85.0]), "85");
        assert_eq!(number_against(0.123_4, &[]), "0.123");
        // Rounding may not carry it past a threshold between two shown values either: 84.996
        // to two places is 85, above 84.9965.
        assert_eq!(number_against(84.996, &[84.996_5]), "84.996");
        assert_eq!(number_against(99.994, &[99.995]), "99.99");
    }

    #[test]
    fn measures_carry_their_unit() {
        assert_eq!(measure(48.0, Unit::Seconds, None), "48 s");
        assert_eq!(measure(97.5, Unit::Percent, None), "97.5%");
        assert_eq!(measure(1500.0, Unit::Currency, Some("EUR")), "1,500 EUR");
    }

    #[test]
    fn money_shows_the_minor_unit() {
        let eur = Fee { monthly: Decimal::ZERO, currency: "EUR".into(), minor_digits: 2 };
        let yen = Fee { monthly: Decimal::ZERO, currency: "JPY".into(), minor_digits: 0 };
        assert_eq!(money(Decimal::from_str("12345.5").unwrap(), &eur), "12,345.50 EUR");
        assert_eq!(money(Decimal::from(400), &eur), "400.00 EUR");
        assert_eq!(money(Decimal::from(98765), &yen), "98,765 JPY");
    }

    #[test]
    fn percents_and_scores() {
        assert_eq!(percent(Decimal::from_str("2.250").unwrap()), "2.25%");
        assert_eq!(percent(Decimal::from(5)), "5%");
        assert_eq!(percent(Decimal::from(30) / Decimal::from(7)), "4.29%");
        assert_eq!(score(Some(25.0)), "25.00");
        assert_eq!(score(None), "—");
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\" onclick='y'>&</a>"),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
