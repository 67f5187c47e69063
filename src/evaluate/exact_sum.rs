//! Sums of measurements that do not depend on the order of the values or on how they were split
//! between files: the same rows must owe the same credits however the exports are cut.
//!
//! A plain running sum of `f64` rounds after every addition, so adding the same values in
//! another order, or adding two files' sums, can give a different last bit, and at an exact
//! boundary a different status. Here the sum is kept exactly, as a few non-overlapping `f64`s
//! (Shewchuk's partials, as in Python's `math.fsum`), and rounded once when it is read.
//! The crates that do this keep no state that can be merged, or keep hundreds of bytes per sum,
//! where a cell of the portfolio can spare a few words.

use smallvec::SmallVec;

/// The exact sum of the values added.
#[derive(Clone, Debug, Default)]
pub struct ExactSum {
    /// Non-overlapping, in increasing magnitude; their exact total is the sum. Two or three
    /// hold any sum of measurements of similar size, so they are kept inline.
    partials: SmallVec<[f64; 3]>,
}

impl ExactSum {
    /// Adds a finite value.
    pub fn add(&mut self, value: f64) {
        // Adding zero changes nothing, and leaving it out keeps a sum of zeros at +0.
        if value == 0.0 {
            return;
        }
        let mut x = value;
        let mut kept = 0;
        let partials = self.partials.as_mut_slice();
        for index in 0..partials.len() {
            let y = partials[index];
            // `high + low` is exactly `x + y` (Knuth's two-sum, which needs no comparison of
            // sizes, so the loop has no branch to mispredict).
            let high = x + y;
            let back = high - x;
            let low = (x - (high - back)) + (y - back);
            // Written even when zero, over a partial already passed, and then kept or not.
            partials[kept] = low;
            kept += usize::from(low != 0.0);
            x = high;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    /// Adds every value of another sum, as if they had been added here.
    pub fn merge(&mut self, other: &ExactSum) {
        for partial in &other.partials {
            self.add(*partial);
        }
    }

    /// The sum, rounded once to the nearest `f64` (ties to even).
    pub fn value(&self) -> f64 {
        let partials = &self.partials;
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
}

/// Two sums are equal when they read the same, whatever partials hold them.
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

    proptest::proptest! {
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
