//! A KPI's status and score in one period, and a vendor's weighted score and grade.

use rust_decimal::Decimal;

use crate::evaluate::rounding::{decimal_to_f64, round_half_away, to_decimal};
use crate::model::{Better, Grade, Kpi};

/// Where a KPI stands in a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Met,
    AtRisk,
    Breach,
    Missing,
    Excluded,
    NotDue,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::AtRisk => "at_risk",
            Status::Breach => "breach",
            Status::Missing => "missing",
            Status::Excluded => "excluded",
            Status::NotDue => "not_due",
        }
    }
}

/// Judges a measured actual against the KPI's target and tolerance.
pub fn judge(kpi: &Kpi, actual: f64) -> (Status, f64) {
    let meets = |bound: f64| match kpi.better {
        Better::Lower => actual <= bound,
        Better::Higher => actual >= bound,
    };
    if meets(kpi.target) {
        return (Status::Met, 100.0);
    }
    match kpi.tolerance {
        // A tolerance equal to its target leaves no room to be at risk.
        Some(tolerance) if tolerance != kpi.target && meets(tolerance) => {
            (Status::AtRisk, at_risk_score(actual, kpi.target, tolerance))
        }
        _ => (Status::Breach, 0.0),
    }
}

/// 100 at the target falling linearly to 50 at the tolerance, rounded to two decimals.
///
/// Worked in decimals, on the numbers as written, so that a score that is exactly half a
/// hundredth (99.995) rounds up as it does by hand.
fn at_risk_score(actual: f64, target: f64, tolerance: f64) -> f64 {
    match (to_decimal(actual), to_decimal(target), to_decimal(tolerance)) {
        (Some(actual), Some(target), Some(tolerance)) if tolerance != target => {
            let past = (actual - target).abs() / (tolerance - target).abs();
            decimal_to_f64(Decimal::ONE_HUNDRED - Decimal::from(50) * past, 2)
        }
        _ => round_half_away(100.0 - 50.0 * ((actual - target) / (tolerance - target)).abs(), 2),
    }
}

/// The mean of the scored KPIs' scores, weighted, rounded to two decimals; `None` when no KPI is
/// scored in the period. Worked in decimals: (83.33 + 100) / 2 is 91.665 and rounds to 91.67,
/// where floats would give 91.66499… and 91.66.
pub fn vendor_score(scored: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    let mut total = Decimal::ZERO;
    let mut weights = Decimal::ZERO;
    for (score, weight) in scored {
        let (score, weight) = (to_decimal(score)?, to_decimal(weight)?);
        total += score * weight;
        weights += weight;
    }
    (weights > Decimal::ZERO).then(|| decimal_to_f64(total / weights, 2))
}

/// The first grade whose `min` the score reaches.
pub fn grade(grades: &[Grade], score: f64) -> Option<usize> {
    grades.iter().position(|grade| score >= grade.min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::aggregate::Aggregate;
    use crate::model::{Measured, Unit, WhenMissing};

    fn kpi(better: Better, target: f64, tolerance: Option<f64>) -> Kpi {
        Kpi {
            id: "k".into(),
            name: "K".into(),
            unit: Unit::Minutes,
            better,
            target,
            tolerance,
            weight: 1.0,
            aggregate: Aggregate::Mean,
            credit: crate::model::CreditRule::None,
            when_missing: WhenMissing::Breach,
            min_count: None,
            measured: Measured::Monthly,
        }
    }

    #[test]
    fn lower_is_better_with_a_tolerance() {
        let first_reply = kpi(Better::Lower, 30.0, Some(60.0));
        assert_eq!(judge(&first_reply, 30.0), (Status::Met, 100.0), "the target itself is met");
        // 45 is 15 past 30, of a 30-wide tolerance: 100 − 50 × 15 / 30 = 75.
        assert_eq!(judge(&first_reply, 45.0), (Status::AtRisk, 75.0));
        assert_eq!(
            judge(&first_reply, 60.0),
            (Status::AtRisk, 50.0),
            "the tolerance itself is at risk"
        );
        assert_eq!(judge(&first_reply, 60.000_001), (Status::Breach, 0.0));
        // 30.003 is 0.003 past 30: 100 − 50 × 0.003 / 30 = 99.995 exactly, so 100.00.
        assert_eq!(judge(&first_reply, 30.003), (Status::AtRisk, 100.0));
    }

    #[test]
    fn higher_is_better_without_a_tolerance() {
        let solved = kpi(Better::Higher, 90.0, None);
        assert_eq!(judge(&solved, 90.0), (Status::Met, 100.0));
        assert_eq!(judge(&solved, 89.9), (Status::Breach, 0.0));
    }

    #[test]
    fn higher_is_better_with_a_tolerance() {
        let csat = kpi(Better::Higher, 90.0, Some(80.0));
        // 85 is 5 short of 90, of a 10-wide tolerance: 100 − 50 × 5 / 10 = 75.
        assert_eq!(judge(&csat, 85.0), (Status::AtRisk, 75.0));
        // 81 is 9 short: 100 − 50 × 0.9 = 55.
        assert_eq!(judge(&csat, 81.0), (Status::AtRisk, 55.0));
        assert_eq!(judge(&csat, 79.0), (Status::Breach, 0.0));
    }

    #[test]
    fn a_tolerance_equal_to_the_target_is_a_breach_when_missed() {
        let strict = kpi(Better::Lower, 5.0, Some(5.0));
        assert_eq!(judge(&strict, 5.0), (Status::Met, 100.0));
        assert_eq!(judge(&strict, 5.5), (Status::Breach, 0.0));
    }

    #[test]
    fn vendor_score_is_weighted_and_rounded() {
        // The worked example: (75 × 1 + 0 × 2) / 3 = 25.
        assert_eq!(vendor_score([(75.0, 1.0), (0.0, 2.0)]), Some(25.0));
        // (100 × 1 + 50 × 2) / 3 = 66.666… → 66.67.
        assert_eq!(vendor_score([(100.0, 1.0), (50.0, 2.0)]), Some(66.67));
        assert_eq!(vendor_score([]), None);
        // (83.33 + 100) / 2 = 91.665 exactly: half away from zero gives 91.67.
        assert_eq!(vendor_score([(83.33, 1.0), (100.0, 1.0)]), Some(91.67));
    }

    #[test]
    fn the_extreme_weights_a_contract_may_set_still_score() {
        // (62.5 × 0.000001 + 100 × 0.000003) / 0.000004 = 90.625 → 90.63.
        assert_eq!(vendor_score([(62.5, 1e-6), (100.0, 3e-6)]), Some(90.63));
        // (0 × 1000000 + 100 × 0.000001) / 1000000.000001 = 0.0000999… → 0.
        assert_eq!(vendor_score([(0.0, 1e6), (100.0, 1e-6)]), Some(0.0));
        // (33.33 × 1000000 + 66.67 × 1000000) / 2000000 = 50.
        assert_eq!(vendor_score([(33.33, 1e6), (66.67, 1e6)]), Some(50.0));
    }

    #[test]
    fn grade_is_the_first_whose_min_is_reached() {
        let grades = crate::model::Settings::default().grades;
        let name = |score| grades[grade(&grades, score).unwrap()].grade.as_str();
        assert_eq!(
            (name(90.0), name(89.99), name(75.0), name(59.99), name(0.0)),
            ("A", "B", "B", "D", "D")
        );
    }
}
