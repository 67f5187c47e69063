//! Rounding as people check it by hand: half away from zero on the decimal digits the number
//! shows, and money split so that its rounded parts still add up to its rounded total.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

/// Powers of ten that an `f64` holds exactly: up to 10^22, which needs no more than 53 bits
/// once its factors of two are taken out.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The float nearest `digits` ÷ 10^`places` when both are exact in an `f64` (digits below 2^53,
/// places at most 22), so that the one division rounds correctly; `None` otherwise.
pub fn exact_quotient(digits: i128, places: usize) -> Option<f64> {
    let power = EXACT_POWERS_OF_TEN.get(places)?;
    #[allow(clippy::cast_precision_loss, reason = "below 2^53, so exact")]
    (digits.unsigned_abs() < 1 << 53).then(|| digits as f64 / power)
}

/// The decimal a float was written as: its shortest text that reads back as the same float, so
/// that 2.675 is 2.675 and not its binary neighbour 2.67499999…; `None` beyond the decimal's
/// range.
pub fn to_decimal(value: f64) -> Option<Decimal> {
    if !value.is_finite() {
        return None;
    }
    Decimal::from_str(&value.to_string()).ok()
}

/// A decimal rounded to `places`, half away from zero, as the float nearest it.
pub fn decimal_to_f64(value: Decimal, places: u32) -> f64 {
    nearest_f64(value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero))
}

/// The float nearest a decimal. The decimal crate's own conversion scales by a power of ten in
/// floating point, which for some numbers of more than fifteen digits lands a unit in the last
/// place away: 40190361697938.63 came back as 40190361697938.64 and missed a target it met.
pub fn nearest_f64(decimal: Decimal) -> f64 {
    let places = usize::try_from(decimal.scale()).unwrap_or(usize::MAX);
    // Otherwise from its text, which Rust reads to the nearest float.
    exact_quotient(decimal.mantissa(), places)
        .unwrap_or_else(|| decimal.to_string().parse().unwrap_or(0.0))
}

/// Rounds to `places` decimals, half away from zero, on the decimal the float was written as.
pub fn round_half_away(value: f64, places: u32) -> f64 {
    if !value.is_finite() {
        return value;
    }
    match to_decimal(value) {
        Some(decimal) => decimal_to_f64(decimal, places),
        // Beyond the decimal's range a float has no digits after the point left to round, or
        // is so small that it rounds to zero.
        None if value.abs() < 1.0 => 0.0,
        None => value,
    }
}

/// `amount` in whole minor units of its currency (cents for 2 digits), half away from zero.
pub fn round_money(amount: Decimal, digits: u32) -> Decimal {
    amount.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds each part so that the parts add up to `total` rounded, `total` being what the parts
/// add up to before rounding. Each is rounded down, and the units left over go to the parts with
/// the largest remainders (on a tie, the earlier part). The total is given rather than summed
/// because parts that are quotients carry the error of their last digit, and their sum can fall
/// just short of a total that is exactly half a unit.
pub fn allot(parts: &[Decimal], total: Decimal, digits: u32) -> Vec<Decimal> {
    let total = round_money(total, digits);
    let mut rounded: Vec<Decimal> =
        parts.iter().map(|p| p.round_dp_with_strategy(digits, RoundingStrategy::ToZero)).collect();
    let unit = Decimal::new(1, digits);

    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| (parts[*b] - rounded[*b]).cmp(&(parts[*a] - rounded[*a])).then(a.cmp(b)));
    let mut left = total - rounded.iter().sum::<Decimal>();
    for index in order.into_iter().cycle().take(parts.len() * 2) {
        if left < unit {
            break;
        }
        rounded[index] += unit;
        left -= unit;
    }
    rounded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn halves_round_away_from_zero_as_written() {
        assert_eq!(round_half_away(2.675, 2), 2.68);
        assert_eq!(round_half_away(-2.675, 2), -2.68);
        assert_eq!(round_half_away(83.333_333_3, 2), 83.33);
        assert_eq!(round_half_away(0.125, 2), 0.13);
        assert_eq!(round_half_away(1.000_000_49, 6), 1.0);
        assert_eq!(round_half_away(1.000_000_5, 6), 1.000_001);
    }

    #[test]
    fn long_numbers_come_back_as_the_nearest_float() {
        // Each is the nearest float to its text; the decimal crate's conversion gave the float
        // one unit in the last place above each.
        assert_eq!(round_half_away(40_190_361_697_938.63, 6), 40_190_361_697_938.63);
        assert_eq!(round_half_away(4_359_866_291.720_431, 6), 4_359_866_291.720_431);
        assert_eq!(round_half_away(999_999_999_999_999.9, 6), 999_999_999_999_999.9);
        assert_eq!(round_half_away(-999_999_999_999_999.9, 2), -999_999_999_999_999.9);
    }

    proptest::proptest! {
        /// Whatever the size, a rounded value is the float Rust reads from the rounded
        /// decimal's text, which is the nearest one.
        #[test]
        fn a_rounded_value_is_the_float_nearest_its_decimal(
            mantissa in -(1i64 << 53)..(1i64 << 53),
            exponent in -60i32..60,
            places in 0u32..8,
        ) {
            let value = mantissa as f64 * 2f64.powi(exponent);
            if let Some(decimal) = to_decimal(value) {
                let rounded = decimal
                    .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
                let nearest: f64 = rounded.to_string().parse().unwrap();
                proptest::prop_assert_eq!(
                    round_half_away(value, places).to_bits(),
                    nearest.to_bits()
                );
            }
        }
    }

    #[test]
    fn extreme_floats_do_not_panic() {
        assert_eq!(round_half_away(1e300, 2), 1e300);
        assert_eq!(round_half_away(1e-300, 2), 0.0);
    }

    #[test]
    fn money_rounds_to_the_minor_unit() {
        // 2.5 % of 8,010.20 is 200.255 exactly: a decimal half, so up to 200.26.
        assert_eq!(round_money(dec("8010.20") * dec("0.025"), 2), dec("200.26"));
        assert_eq!(round_money(dec("1234.5"), 0), dec("1235"));
    }

    #[test]
    fn allotted_parts_add_up_to_the_rounded_total() {
        // Thirds of 100.00: 33.333…, rounded down to 33.33 each (99.99); the one cent left goes
        // to the first, all remainders being equal.
        let third = dec("100") / dec("3");
        let parts = [third, third, third];
        assert_eq!(allot(&parts, dec("100"), 2), [dec("33.34"), dec("33.33"), dec("33.33")]);
        // 10.006 + 20.004 = 30.01: rounded down 10.00 + 20.00, one cent to the larger remainder.
        let parts = [dec("10.006"), dec("20.004")];
        assert_eq!(allot(&parts, dec("30.01"), 2), [dec("10.01"), dec("20.00")]);
        // Halves of 25.005 as quotients may fall a hair short of 12.5025; their sum would round
        // to 25.00, but the exact total rounds to 25.01, and the cent goes to the first.
        let half = dec("12.50249999999999999999999999");
        assert_eq!(round_money(half + half, 2), dec("25.00"));
        assert_eq!(allot(&[half, half], dec("25.005"), 2), [dec("12.51"), dec("12.50")]);
    }
}
