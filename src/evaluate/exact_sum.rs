//! Sums of measurements that do not depend on the order of the values or on how they were split
//! between files: the same rows must owe the same credits however the exports are cut.
//!
//! A plain running sum of `f64` rounds after every addition, so adding the same values in
//! another order, or adding two files' sums, can give a different last bit, and at an exact
//! boundary a different status. Here the sum is kept exactly and rounded once when it is read.
//!
//! Nearly every measurement is a whole number of 2^-64ths below 2^59, so most of a sum is kept
//! as a count of those in an `i128`, where adding is exact and takes a few instructions. A value
//! off that grid, and any part of the sum that would run out of the `i128`'s range, is kept as
//! a few non-overlapping `f64`s (Shewchuk's partials, as in Python's `math.fsum`).
//! The crates that do this keep no state that can be merged, or keep hundreds of bytes per sum,
//! where a cell of the portfolio can spare a few words.

/// The grid of the fixed part: it counts units of 2^-`GRID`.
const GRID: i32 = 64;

/// The largest fixed part kept. Below 2^126 it converts to `f64` and back without reaching the
/// `i128`'s limit, and adding a value on the grid, or another fixed part, cannot overflow it.
const FIXED_LIMIT: u128 = 1 << 126;

/// The largest shift of a 53-bit mantissa taken into the fixed part: values below 2^59.
const LARGEST_SHIFT: i32 = 70;

/// The exact sum of the values added.
#[derive(Clone, Debug, Default)]
pub struct ExactSum {
    /// Units of 2^-64, from the values on that grid: an `i128` in two halves, so that a cell
    /// of the portfolio is aligned to 8 bytes rather than 16 and takes 16 fewer.
    fixed: Halves,
    /// Non-overlapping, in increasing magnitude; with `fixed`, their exact total is the sum. A
    /// sum of values on the grid needs none, and so allocates nothing.
    partials: Vec<f64>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Halves {
    low: u64,
    high: i64,
}

impl Halves {
    fn get(self) -> i128 {
        (i128::from(self.high) << 64) | i128::from(self.low)
    }

    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "cut in two halves on purpose"
    )]
    fn set(&mut self, value: i128) {
        self.low = value as u64;
        self.high = (value >> 64) as i64;
    }
}

impl ExactSum {
    /// Adds a finite value.
    pub fn add(&mut self, value: f64) {
        match units(value) {
            Some(units) => self.add_units(units),
            None => add_partial(&mut self.partials, value),
        }
    }

    fn add_units(&mut self, units: i128) {
        let mut fixed = self.fixed.get() + units;
        if fixed.unsigned_abs() >= FIXED_LIMIT {
            // Moved whole into the partials, exactly: the sum is unchanged.
            for part in fixed_parts(fixed) {
                add_partial(&mut self.partials, part);
            }
            fixed = 0;
        }
        self.fixed.set(fixed);
    }

    /// Adds every value of another sum, as if they had been added here.
    pub fn merge(&mut self, other: &ExactSum) {
        self.add_units(other.fixed.get());
        for partial in &other.partials {
            add_partial(&mut self.partials, *partial);
        }
    }

    /// The sum, rounded once to the nearest `f64` (ties to even).
    pub fn value(&self) -> f64 {
        if self.partials.is_empty() {
            // The conversion rounds to nearest, ties to even, and the power of two is exact.
            #[allow(clippy::cast_precision_loss, reason = "rounded once, as the sum must be")]
            return self.fixed.get() as f64 * 2f64.powi(-GRID);
        }
        let mut partials = self.partials.clone();
        for part in fixed_parts(self.fixed.get()) {
            add_partial(&mut partials, part);
        }
        rounded(&partials)
    }

    /// The sum divided by `count`, rounded once to the nearest `f64` (ties to even) when every
    /// value was on the grid; otherwise the rounded sum divided, two roundings.
    pub fn mean(&self, count: u64) -> f64 {
        let fixed = self.fixed.get();
        if !self.partials.is_empty() || count == 0 || fixed == 0 {
            #[allow(clippy::cast_precision_loss, reason = "counts stay far below 2^52")]
            return self.value() / count as f64;
        }
        // The units, moved up as far as a u128 goes, so that the quotient keeps at least 64
        // bits: 53 to keep and more than enough below them to round on.
        let shift = fixed.unsigned_abs().leading_zeros();
        let scaled = fixed.unsigned_abs() << shift;
        let quotient = scaled / u128::from(count);
        // A remainder is marked in the lowest bit, far below the last one kept: it tips an
        // exact half up, as the remainder does, and no other rounding.
        let marked = quotient | u128::from(!scaled.is_multiple_of(u128::from(count)));
        #[allow(clippy::cast_precision_loss, reason = "rounded once, as the mean must be")]
        let magnitude = marked as f64 * 2f64.powi(-GRID - i32::try_from(shift).unwrap_or(0));
        if fixed < 0 { -magnitude } else { magnitude }
    }
}

/// `value` in units of 2^-64, when it is a whole number of them and below 2^59.
fn units(value: f64) -> Option<i128> {
    let bits = value.to_bits();
    let exponent = i32::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    if exponent == 0 {
        // Zero adds nothing; a subnormal value is far off the grid.
        return (value == 0.0).then_some(0);
    }
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    // value = mantissa × 2^(exponent − 1075), so in units it is mantissa × 2^shift.
    let shift = exponent - 1075 + GRID;
    let magnitude = if shift > LARGEST_SHIFT {
        return None;
    } else if shift >= 0 {
        u128::from(mantissa) << shift.unsigned_abs()
    } else {
        let dropped = shift.unsigned_abs();
        if dropped >= 53 || mantissa & ((1 << dropped) - 1) != 0 {
            return None;
        }
        u128::from(mantissa >> dropped)
    };
    let magnitude = i128::try_from(magnitude).ok()?;
    Some(if value < 0.0 { -magnitude } else { magnitude })
}

/// A fixed part as at most three `f64`s whose exact total it is.
fn fixed_parts(fixed: i128) -> impl Iterator<Item = f64> {
    let scale = 2f64.powi(-GRID);
    let mut rest = fixed;
    std::iter::from_fn(move || {
        if rest == 0 {
            return None;
        }
        // Below 2^126 the rounded `f64` is a whole number within range, so `rest` shrinks
        // by it exactly, and by 53 bits a step.
        #[allow(clippy::cast_precision_loss, reason = "the rounding is taken back from rest")]
        let part = rest as f64;
        #[allow(clippy::cast_possible_truncation, reason = "a whole number below 2^126")]
        let whole = part as i128;
        rest -= whole;
        Some(part * scale)
    })
}

/// Adds `value` to non-overlapping partials, keeping them exact and non-overlapping.
fn add_partial(partials: &mut Vec<f64>, value: f64) {
    // Adding zero changes nothing, and leaving it out keeps a sum of zeros at +0.
    if value == 0.0 {
        return;
    }
    let mut x = value;
    let mut kept = 0;
    let slots = partials.as_mut_slice();
    for index in 0..slots.len() {
        let y = slots[index];
        // `high + low` is exactly `x + y` (Knuth's two-sum, which needs no comparison of
        // sizes, so the loop has no branch to mispredict).
        let high = x + y;
        let back = high - x;
        let low = (x - (high - back)) + (y - back);
        // Written even when zero, over a partial already passed, and then kept or not.
        slots[kept] = low;
        kept += usize::from(low != 0.0);
        x = high;
    }
    partials.truncate(kept);
    partials.push(x);
}

/// The exact total of non-overlapping partials, rounded once to the nearest `f64`.
fn rounded(partials: &[f64]) -> f64 {
    let Some((&top, rest)) = partials.split_last() else {
        return 0.0;
    };
    let mut high = top;
    let mut low = 0.0;
    let mut left = rest.len();
    // From the largest down, until an addition is no longer exact.
    while left > 0 {
        left -= 1;
        let x = high;
        let y = partials[left];
        high = x + y;
        low = y - (high - x);
        if low != 0.0 {
            break;
        }
    }
    // The partials below may tip a tie the other way: round half to even across them.
    if left > 0
        && ((low < 0.0 && partials[left - 1] < 0.0) || (low > 0.0 && partials[left - 1] > 0.0))
    {
        let twice = low * 2.0;
        let tipped = high + twice;
        if twice == tipped - high {
            high = tipped;
        }
    }
    high
}

/// Two sums are equal when they read the same, whatever parts hold them.
impl PartialEq for ExactSum {
    fn eq(&self, other: &Self) -> bool {
        self.value().to_bits() == other.value().to_bits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(values: &[f64]) -> f64 {
        let mut sum = ExactSum::default();
        values.iter().for_each(|v| sum.add(*v));
        sum.value()
    }

    #[test]
    fn a_sum_takes_five_words() {
        assert_eq!(std::mem::size_of::<ExactSum>(), 40);
        assert_eq!(std::mem::align_of::<ExactSum>(), 8);
    }

    #[test]
    fn a_mean_just_past_a_half_rounds_up() {
        // (3 × 2^54 + 7) units ÷ 3 is 2^54 + 2 + 1/3 units: a third past the half between the
        // floats 2^54 and 2^54 + 4 units, where a tie would go to the even 2^54. It goes up.
        let mut sum = ExactSum::default();
        for value in [3.0 * 2f64.powi(-10), 7.0 * 2f64.powi(-64), 0.0] {
            sum.add(value);
        }
        assert_eq!(sum.mean(3), 2f64.powi(-10) + 2f64.powi(-62));
    }

    #[test]
    fn values_off_the_grid_and_past_its_limit_are_summed_exactly() {
        // 2^-70 is off the grid of 2^-64; 2^60 is past the largest value taken into it.
        assert_eq!(sum(&[1.0, 2f64.powi(-70), -1.0]), 2f64.powi(-70));
        assert_eq!(sum(&[2f64.powi(60), 0.5, -2f64.powi(60)]), 0.5);
        // Sixteen values of 2^58 are 2^126 units: the fixed part is moved to the partials.
        let mut values = vec![2f64.powi(58); 16];
        values.push(0.25);
        assert_eq!(sum(&values), 2f64.powi(62), "2^62 + 0.25 rounds to 2^62");
        values.extend(vec![-2f64.powi(58); 16]);
        assert_eq!(sum(&values), 0.25);
    }

    #[test]
    fn sums_are_exact_then_rounded_once() {
        assert_eq!(sum(&[0.1; 10]), 1.0, "a running sum gives 0.9999999999999999");
        assert_eq!(sum(&[1e15, 0.1, -1e15]), 0.1);
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[-0.0]).to_bits(), 0.0f64.to_bits());
        // 1 + 2^-53 + 2^-106 lies just above the tie between 1 and the next f64 up.
        assert_eq!(sum(&[1.0, 2f64.powi(-53), 2f64.powi(-106)]), 1.0 + f64::EPSILON);
        assert_eq!(sum(&[1.0, 2f64.powi(-53)]), 1.0, "a tie goes to even");
    }

    #[test]
    fn rows_split_over_files_sum_as_in_one_file() {
        let values = [82.0485912, 88.6179581, 74.0503412];
        let mut first = ExactSum::default();
        first.add(values[0]);
        let mut second = ExactSum::default();
        second.add(values[1]);
        second.add(values[2]);
        first.merge(&second);
        assert_eq!(first.value().to_bits(), sum(&values).to_bits());
    }

    fn steps_shuffled_and_cut()
    -> impl proptest::strategy::Strategy<Value = (Vec<i64>, Vec<i64>, usize)> {
        use proptest::prelude::*;
        proptest::collection::vec(-(1i64 << 52)..(1i64 << 52), 0..60).prop_flat_map(|steps| {
            let len = steps.len();
            (Just(steps.clone()), Just(steps).prop_shuffle(), 0..=len)
        })
    }

    use proptest::prelude::*;

    /// The sum as the partials alone keep it, the way every value off the grid is kept.
    fn by_partials_alone(values: &[f64]) -> f64 {
        let mut partials = Vec::new();
        values.iter().for_each(|v| add_partial(&mut partials, *v));
        rounded(&partials)
    }

    /// Values of every kind: on the grid, off it (too small, too fine or too large), and
    /// large enough that a few of them run the fixed part past its limit.
    fn any_values() -> impl Strategy<Value = Vec<f64>> {
        let mantissa = -(1i64 << 53)..(1i64 << 53);
        let value = prop_oneof![
            (mantissa.clone(), -70i32..10).prop_map(|(m, e)| m as f64 * 2f64.powi(e)),
            (mantissa.clone(), -200i32..-60).prop_map(|(m, e)| m as f64 * 2f64.powi(e)),
            (mantissa, 0i32..30).prop_map(|(m, e)| m as f64 * 2f64.powi(e)),
            (-1e6f64..1e6),
        ];
        proptest::collection::vec(value, 0..80)
    }

    /// The `f64` nearest `units` × 2^-40 ÷ `count` (ties to even), found by comparing the
    /// candidates around a first guess in exact integers.
    fn nearest_quotient(units: i128, count: u64) -> f64 {
        let count = i128::from(count);
        #[allow(clippy::cast_precision_loss, reason = "a first guess")]
        let guess = units as f64 / count as f64 * 2f64.powi(-40);
        let candidates = [guess.next_down(), guess, guess.next_up()];
        // Each candidate as mantissa × 2^exponent, exactly.
        let parts = candidates.map(|c| {
            let bits = c.to_bits();
            let exponent = i32::try_from((bits >> 52) & 0x7ff).unwrap() - 1075;
            let mantissa = i128::from((bits & ((1 << 52) - 1)) | (1 << 52));
            (if c < 0.0 { -mantissa } else { mantissa }, exponent + 40)
        });
        // candidate × count × 2^40 − units, all in units of 2^low.
        let low = parts.iter().map(|p| p.1).min().unwrap().min(0);
        let errors = parts.map(|(m, e)| {
            (m * count * (1i128 << (e - low)) - units * (1i128 << -low)).unsigned_abs()
        });
        let best = (0..3).min_by_key(|i| (errors[*i], parts[*i].0.unsigned_abs() % 2)).unwrap();
        candidates[best]
    }

    proptest::proptest! {
        /// A mean of values on the grid is their exact sum divided by the count, rounded
        /// once: sums of more than 53 bits are where rounding the sum first would differ.
        #[test]
        fn a_mean_is_the_exact_quotient_rounded_once(
            steps in proptest::collection::vec(-(1i64 << 53)..(1i64 << 53), 1..60),
        ) {
            let mut sum = ExactSum::default();
            for step in &steps {
                sum.add(*step as f64 * 2f64.powi(-40));
            }
            let units: i128 = steps.iter().map(|s| i128::from(*s)).sum();
            let count = steps.len() as u64;
            let expected = if units == 0 { 0.0 } else { nearest_quotient(units, count) };
            proptest::prop_assert_eq!(sum.mean(count).to_bits(), expected.to_bits());
        }

        /// The fixed part changes no sum: any values, added in any split, read as the
        /// partials alone would read them.
        #[test]
        fn the_fixed_part_sums_as_the_partials_do(values in any_values(), cut in 0usize..80) {
            let cut = cut.min(values.len());
            let mut head = ExactSum::default();
            values[..cut].iter().for_each(|v| head.add(*v));
            let mut tail = ExactSum::default();
            values[cut..].iter().for_each(|v| tail.add(*v));
            head.merge(&tail);
            let expected = by_partials_alone(&values);
            proptest::prop_assert_eq!(sum(&values).to_bits(), expected.to_bits());
            proptest::prop_assert_eq!(head.value().to_bits(), expected.to_bits());
        }

        /// With every value but one cancelled by its negative, whatever the order, the sum
        /// is that one value to the last bit: no part of any value is lost.
        #[test]
        fn cancelled_values_leave_the_one_not_cancelled(
            (values, shuffled) in any_values()
                .prop_filter("a value to keep", |v| !v.is_empty())
                .prop_flat_map(|values| {
                    let mut all = values.clone();
                    all.extend(values[1..].iter().map(|v| -v));
                    (proptest::strategy::Just(values), proptest::strategy::Just(all).prop_shuffle())
                }),
        ) {
            proptest::prop_assert_eq!(sum(&shuffled).to_bits(), (values[0] + 0.0).to_bits());
        }

        /// Values on a grid of 2^-22 below 2^30 have an exact sum in an i128, converted once.
        #[test]
        fn a_sum_is_the_exact_sum_rounded_in_any_order_and_any_split(
            (steps, shuffled, cut) in steps_shuffled_and_cut(),
        ) {
            let scale = 2f64.powi(-22);
            let value = |step: &i64| *step as f64 * scale;
            let exact: i128 = steps.iter().map(|s| i128::from(*s)).sum();
            let expected = exact as f64 * scale;

            let mut head = ExactSum::default();
            shuffled[..cut].iter().for_each(|s| head.add(value(s)));
            let mut tail = ExactSum::default();
            shuffled[cut..].iter().for_each(|s| tail.add(value(s)));
            head.merge(&tail);

            let in_order: Vec<f64> = steps.iter().map(value).collect();
            proptest::prop_assert_eq!(sum(&in_order).to_bits(), expected.to_bits());
            proptest::prop_assert_eq!(head.value().to_bits(), expected.to_bits());
        }
    }
}
