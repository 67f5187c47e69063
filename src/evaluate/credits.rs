//! Service credits: what each KPI in breach owes in a period, the cap on the period's total, and
//! the amounts in the contract's currency.

use rust_decimal::Decimal;

use crate::evaluate::periods::Period;
use crate::evaluate::remedies::StateNote;
use crate::evaluate::rounding::{allot, round_money};
use crate::model::Fee;

/// What becomes of a credit once raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreditState {
    Owed,
    Pending,
    EarnedBack,
    Disputed,
}

impl CreditState {
    pub fn name(self) -> &'static str {
        match self {
            CreditState::Owed => "owed",
            CreditState::Pending => "pending",
            CreditState::EarnedBack => "earned_back",
            CreditState::Disputed => "disputed",
        }
    }
}

/// A credit a KPI raises in a period, before the cap: what it owes, why, and its state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Raised {
    pub percent: Decimal,
    /// The tier crossed, for a KPI with `credit_tiers`.
    pub tier: Option<usize>,
    pub state: CreditState,
    pub note: StateNote,
    /// For an owed credit, the period it became owed in.
    pub owed_in: Option<Period>,
}

impl Raised {
    /// An owed credit with no tier, as a flat `credit_percent` raises it.
    pub fn owed(percent: Decimal) -> Raised {
        Raised {
            percent,
            tier: None,
            state: CreditState::Owed,
            note: StateNote::Owed,
            owed_in: None,
        }
    }
}

/// One KPI's credit in one period.
#[derive(Clone, Debug, PartialEq)]
pub struct Credit {
    pub percent_before_cap: Decimal,
    /// Kept small: there is one credit for each vendor, KPI and period that raises one.
    pub tier: Option<u32>,
    /// After the cap.
    pub percent: Decimal,
    /// Rounded to the currency's minor unit, as allotted from the period's rounded total;
    /// `None` when the contract has no fee.
    pub amount: Option<Decimal>,
    pub state: CreditState,
    pub note: StateNote,
    /// For an owed credit, the period it became owed in: its own, or a later one in which its
    /// earn-back was missed, the term was found to end too soon to earn it back, or a dispute
    /// of it was rejected. What a finance team invoices for a period is what became owed in it.
    pub owed_in: Option<Period>,
    /// Whether the cap scaled this credit down.
    pub capped: bool,
}

/// A period's credits added up, by state, in rounded money.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreditTotals {
    pub owed: Decimal,
    pub pending: Decimal,
    pub earned_back: Decimal,
    pub disputed: Decimal,
}

impl CreditTotals {
    pub fn add(&mut self, state: CreditState, amount: Decimal) {
        match state {
            CreditState::Owed => self.owed += amount,
            CreditState::Pending => self.pending += amount,
            CreditState::EarnedBack => self.earned_back += amount,
            CreditState::Disputed => self.disputed += amount,
        }
    }

    pub fn add_all(&mut self, other: &CreditTotals) {
        self.owed += other.owed;
        self.pending += other.pending;
        self.earned_back += other.earned_back;
        self.disputed += other.disputed;
    }
}

/// The credits of one period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PeriodCredits {
    /// Per KPI, in contract order; `None` where no credit was raised.
    pub kpis: Vec<Option<Credit>>,
    /// The capped total.
    pub percent: Decimal,
    /// The capped total in money, rounded; `None` when the contract has no fee.
    pub amount: Option<Decimal>,
    pub totals: CreditTotals,
}

/// Works out a period's credits from what each KPI raises (`None`: it raises nothing).
///
/// The cap applies to every credit raised, whatever its state: when the total passes it, each
/// credit is scaled down in proportion so that the parts add up to the cap, and room left by a
/// credit earned back or disputed is not given to another. Money is percent / 100 × the
/// monthly fee × the months in the period, computed exactly and rounded once, with the rounded
/// parts allotted by largest remainder.
pub fn period_credits(
    raised: &[Option<Raised>],
    cap: Option<Decimal>,
    fee: Option<&Fee>,
    months: u32,
) -> PeriodCredits {
    let before: Decimal = raised.iter().flatten().map(|r| r.percent).sum();
    let binding = cap.filter(|cap| before > *cap && before > Decimal::ZERO);
    // A credit scaled to the cap is its share of the cap: multiplied before it is divided, so
    // that a share that is exact in decimals (2.5 % of 3 % capped at 2.5 %) comes out exact.
    let scaled = |percent: Decimal| binding.map_or(percent, |cap| percent * cap / before);
    let mut credits: Vec<Option<Credit>> = raised
        .iter()
        .map(|raised| {
            raised.map(|raised| Credit {
                percent_before_cap: raised.percent,
                tier: raised.tier.and_then(|tier| u32::try_from(tier).ok()),
                percent: scaled(raised.percent),
                amount: None,
                state: raised.state,
                note: raised.note,
                owed_in: raised.owed_in,
                capped: binding.is_some(),
            })
        })
        .collect();
    let percent = cap.map_or(before, |cap| before.min(cap));

    let mut totals = CreditTotals::default();
    let amount = fee.map(|fee| {
        let base = fee.monthly * Decimal::from(months) / Decimal::ONE_HUNDRED;
        let share = |percent: Decimal| match binding {
            Some(cap) => percent * cap * base / before,
            None => percent * base,
        };
        let parts: Vec<Decimal> =
            credits.iter().flatten().map(|c| share(c.percent_before_cap)).collect();
        // Exact, whether or not the cap binds; the parts may carry a quotient's last digit.
        let total = binding.map_or_else(|| parts.iter().sum(), |cap| cap * base);
        let mut rounded = allot(&parts, total, fee.minor_digits).into_iter();
        for credit in credits.iter_mut().flatten() {
            let amount = rounded.next().unwrap_or_default();
            credit.amount = Some(amount);
            totals.add(credit.state, amount);
        }
        round_money(total, fee.minor_digits)
    });

    PeriodCredits { kpis: credits, percent, amount, totals }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn eur(monthly: &str) -> Fee {
        Fee { monthly: dec(monthly), currency: "EUR".into(), minor_digits: 2 }
    }

    #[test]
    fn a_credit_under_the_cap_is_owed_in_full() {
        // The worked example: 5 % of 8,000 = 400.00, under the cap of 6 %.
        let credits = period_credits(
            &[None, Some(Raised::owed(dec("5")))],
            Some(dec("6")),
            Some(&eur("8000")),
            1,
        );
        assert_eq!(credits.percent, dec("5"));
        assert_eq!(credits.amount, Some(dec("400.00")));
        let credit = credits.kpis[1].as_ref().unwrap();
        assert_eq!(
            (credit.percent, credit.amount, credit.capped),
            (dec("5"), Some(dec("400.00")), false)
        );
        assert_eq!(credits.totals.owed, dec("400.00"));
        assert!(credits.kpis[0].is_none());
    }

    #[test]
    fn the_cap_scales_every_credit_in_proportion() {
        // 3 % + 5 % = 8 % against a cap of 6 %: each × 6/8, so 2.25 % and 3.75 %.
        // Of 8,000 a month that is 180.00 and 300.00, adding up to 480.00 = 6 %.
        let credits = period_credits(
            &[Some(Raised::owed(dec("3"))), Some(Raised::owed(dec("5")))],
            Some(dec("6")),
            Some(&eur("8000")),
            1,
        );
        let parts: Vec<_> = credits
            .kpis
            .iter()
            .flatten()
            .map(|c| (c.percent, c.amount.unwrap(), c.capped))
            .collect();
        assert_eq!(parts, [(dec("2.25"), dec("180.00"), true), (dec("3.75"), dec("300.00"), true)]);
        assert_eq!((credits.percent, credits.amount), (dec("6"), Some(dec("480.00"))));
    }

    #[test]
    fn a_quarter_owes_on_three_months_of_fee() {
        // 2 % of 3 × 1,000.10 = 60.006 → 60.01.
        let credits =
            period_credits(&[Some(Raised::owed(dec("2")))], None, Some(&eur("1000.10")), 3);
        assert_eq!(credits.amount, Some(dec("60.01")));
    }

    #[test]
    fn rounded_parts_add_up_when_the_cap_divides_unevenly() {
        // 3 × 4 % = 12 % against a cap of 10 %: each 3.333… %, of 1,000 = 33.333…;
        // the total 100.00 is allotted 33.34 + 33.33 + 33.33.
        let owed = [
            Some(Raised::owed(dec("4"))),
            Some(Raised::owed(dec("4"))),
            Some(Raised::owed(dec("4"))),
        ];
        let credits = period_credits(&owed, Some(dec("10")), Some(&eur("1000")), 1);
        let amounts: Vec<_> = credits.kpis.iter().flatten().map(|c| c.amount.unwrap()).collect();
        assert_eq!(amounts, [dec("33.34"), dec("33.33"), dec("33.33")]);
        assert_eq!(credits.amount, Some(dec("100.00")));
    }

    #[test]
    fn a_binding_cap_is_owed_to_the_minor_unit_it_rounds_to() {
        // 3 % capped at 2.5 % of 1,000.20 is 25.005 exactly, which rounds up to 25.01; as
        // 3 × (2.5 / 3) the share fell a hair short and rounded down to 25.00.
        let credits = period_credits(
            &[Some(Raised::owed(dec("3")))],
            Some(dec("2.5")),
            Some(&eur("1000.20")),
            1,
        );
        let credit = credits.kpis[0].as_ref().unwrap();
        assert_eq!((credit.percent, credit.amount), (dec("2.5"), Some(dec("25.01"))));
        assert_eq!(credits.amount, Some(dec("25.01")));
    }

    #[test]
    fn a_tie_between_capped_shares_gives_the_unit_to_the_earlier_kpi() {
        // 2 % + 10 % = 12 % capped at 5 % of 180 JPY: shares of 2 × 5 × 1.8 / 12 = 1.5 and
        // 10 × 5 × 1.8 / 12 = 7.5 yen, 9 in all. Rounded down 1 + 7 = 8; the yen left goes to
        // the earlier of the two equal remainders: 2 + 7.
        let yen = Fee { monthly: dec("180"), currency: "JPY".into(), minor_digits: 0 };
        let credits = period_credits(
            &[Some(Raised::owed(dec("2"))), Some(Raised::owed(dec("10")))],
            Some(dec("5")),
            Some(&yen),
            1,
        );
        let amounts: Vec<_> = credits.kpis.iter().flatten().map(|c| c.amount.unwrap()).collect();
        assert_eq!(amounts, [dec("2"), dec("7")]);
        assert_eq!(credits.amount, Some(dec("9")));
    }

    #[test]
    fn without_a_fee_only_percents_are_known() {
        let credits = period_credits(&[Some(Raised::owed(dec("2")))], None, None, 1);
        assert_eq!((credits.percent, credits.amount), (dec("2"), None));
        assert_eq!(credits.kpis[0].as_ref().unwrap().amount, None);
    }
}
