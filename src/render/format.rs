//! How numbers, money and dates read on a page. Files for machines (JSON, CSV) do not use these.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::evaluate::rounding::round_half_away;
use crate::model::{Fee, Unit};

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
    let places = if value.abs() < 1.0 && value != 0.0 { 3 } else { 2 };
    let rounded = round_half_away(value, places);
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
    let shown = number(value);
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
