//! `contracts/<vendor>.yaml`: one contract per vendor, read and validated into a [`Contract`].
//! Every problem in a file is reported with its line and column; unknown keys are errors.

use std::collections::HashSet;
use std::str::FromStr;

use chrono::Datelike as _;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::value::StrDeserializer;
use serde::de::{DeserializeOwned, IntoDeserializer};

use crate::diagnostics::Diagnostic;
use crate::evaluate::aggregate::Aggregate;
use crate::evaluate::periods::{Period, PeriodKind};
use crate::load::dates;
use crate::load::values::clean_text;
use crate::load::yaml::{self, Spanned};
use crate::model::{
    Better, Contract, CreditRule, CreditTier, Deliverable, Dispute, DisputeStatus, Evidence,
    Exclusion, Fee, Kpi, LARGEST_VALUE, Measured, Term, Unit, WhenMissing,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContract {
    id: Option<Spanned<String>>,
    name: Spanned<String>,
    service: Option<String>,
    term: RawTerm,
    service_levels_from: Option<Spanned<String>>,
    fee: Option<RawFee>,
    kpis: Spanned<Vec<RawKpi>>,
    credits: Option<RawCredits>,
    #[serde(default)]
    exclusions: Vec<RawExclusion>,
    #[serde(default)]
    disputes: Vec<RawDispute>,
    #[serde(default)]
    deliverables: Vec<RawDeliverable>,
    #[serde(default)]
    data_protection: Vec<RawEvidence>,
    reviews: Option<RawReviews>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    start: Spanned<String>,
    end: Option<Spanned<String>>,
    notice_days: Option<Spanned<u32>>,
    #[serde(default)]
    auto_renew: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFee {
    monthly: Spanned<f64>,
    currency: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKpi {
    id: Spanned<String>,
    name: Option<String>,
    // Words from a fixed list are read after parsing, so that every wrong one is listed.
    unit: Spanned<String>,
    better: Spanned<String>,
    target: Spanned<f64>,
    tolerance: Option<Spanned<f64>>,
    weight: Option<Spanned<f64>>,
    aggregate: Option<Spanned<String>>,
    credit_percent: Option<Spanned<f64>>,
    credit_tiers: Option<Spanned<Vec<RawTier>>>,
    when_missing: Option<Spanned<String>>,
    min_count: Option<Spanned<u64>>,
    measured: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
    Percent,
    Count,
    Score,
    Ratio,
    Currency,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawBetter {
    Lower,
    Higher,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawAggregate {
    Mean,
    Median,
    Sum,
    Min,
    Max,
    Last,
    P90,
    P95,
    Count,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawWhenMissing {
    Breach,
    Skip,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawMeasured {
    Monthly,
    Quarterly,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCredits {
    cap_percent: Option<Spanned<f64>>,
    earn_back_periods: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    worse_than: Spanned<f64>,
    percent: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclusion {
    kpi: Option<Spanned<String>>,
    from: Spanned<String>,
    to: Spanned<String>,
    reason: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDispute {
    kpi: Spanned<String>,
    period: Spanned<String>,
    raised: Spanned<String>,
    status: Spanned<String>,
    decided: Option<Spanned<String>>,
    text: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawDisputeStatus {
    Open,
    Upheld,
    Rejected,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeliverable {
    id: Spanned<String>,
    name: Spanned<String>,
    due: Spanned<String>,
    delivered: Option<Spanned<String>>,
    accepted: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvidence {
    id: Spanned<String>,
    clause: Spanned<String>,
    evidence: Spanned<String>,
    verified: Spanned<String>,
    valid_days: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReviews {
    cadence_days: Spanned<u32>,
}

/// The largest monthly fee: large enough for any contract, small enough that no credit
/// arithmetic can overflow.
const LARGEST_FEE: f64 = 1e12;
/// The weights a KPI may carry. Scores are worked in decimals of at most 28 places, in which a
/// far smaller weight is lost, and its period would be left with no score.
const WEIGHTS: std::ops::RangeInclusive<f64> = 1e-6..=1e6;
/// The longest span in days a contract may write (notice, validity, cadence): a century.
pub const LONGEST_DAYS: u32 = 36_500;
/// The years a contract's dates may fall in.
pub const CONTRACT_YEARS: std::ops::RangeInclusive<i32> = 1970..=2199;

/// Whether a target, tolerance or measured value is a number the rules can work with.
pub fn is_measurable(value: f64) -> bool {
    value.is_finite() && value.abs() <= LARGEST_VALUE
}

/// A contract that failed to load, with the problems found.
#[derive(Debug)]
pub struct Rejected {
    pub problems: Vec<Diagnostic>,
    pub outline: Outline,
}

/// What is known of a contract that failed to load, so that its vendor's rows can still be
/// checked in the same run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outline {
    pub id: String,
    /// The file, as shown to the user.
    pub file: String,
    /// The KPI ids it lists; `None` when the file is not readable as a contract at all.
    pub kpis: Option<Vec<String>>,
}

/// Whether `id` may name a vendor, deliverable or evidence item: `^[a-z0-9][a-z0-9-]{0,62}$`.
pub fn is_vendor_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// Whether `id` may name a KPI: `^[a-z0-9_]+$`.
pub fn is_kpi_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Reads one contract file. `stem` is the file name without its extension, the default id;
/// `kind` is the site's period, in which disputes name their period.
pub fn parse(file: &str, stem: &str, text: &str, kind: PeriodKind) -> Result<Contract, Rejected> {
    let raw: RawContract = yaml::parse(file, text).map_err(|problem| Rejected {
        problems: vec![problem],
        outline: Outline { id: stem.to_owned(), file: file.to_owned(), kpis: None },
    })?;
    let listed_kpis = raw.kpis.value.iter().map(|k| k.id.value.trim().to_owned()).collect();
    let mut check = Checker { file, text, problems: Vec::new(), listed_kpis };

    let id = match &raw.id {
        Some(id) => {
            check.that(is_vendor_id(&id.value), id, || {
                format!(
                    "`{}` is not a vendor id: use lowercase letters, digits and `-`, starting with a letter or digit, at most 63 characters",
                    id.value
                )
            });
            id.value.clone()
        }
        None => {
            if !is_vendor_id(stem) {
                check.problems.push(Diagnostic::error(file, format!(
                    "the file name `{stem}` is not a vendor id, and the contract sets no `id`: rename the file (lowercase letters, digits and `-`) or add `id:`"
                )));
            }
            stem.to_owned()
        }
    };

    let term = check.term(&raw.term);
    let service_levels_from = match (&raw.service_levels_from, &term) {
        (Some(from), Some(term)) => check.date(from).inspect(|date| {
            let inside = *date >= term.start && term.end.is_none_or(|end| *date <= end);
            check.that(inside, from, || {
                "`service_levels_from` must fall within the term".to_owned()
            });
        }),
        (None, Some(term)) => Some(term.start),
        (Some(from), None) => check.date(from),
        (None, None) => None,
    };

    let fee = raw.fee.as_ref().and_then(|fee| check.fee(fee));
    let kpis = check.kpis(&raw.kpis);
    if raw.fee.is_none() && kpis.iter().any(|kpi| kpi.credit != CreditRule::None) {
        check.problems.push(raw.kpis.error(
            file,
            text,
            "a KPI owes credits but the contract has no `fee` to take them from: add `fee: { monthly: …, currency: … }`",
        ));
    }
    let credit_cap_percent = raw
        .credits
        .as_ref()
        .and_then(|credits| credits.cap_percent.as_ref())
        .and_then(|cap| check.percent(cap, "cap_percent"));
    let earn_back_periods =
        raw.credits.as_ref().and_then(|c| c.earn_back_periods.as_ref()).map(|n| {
            check.that(n.value >= 1, n, || "`earn_back_periods` must be at least 1".to_owned());
            n.value
        });
    let exclusions =
        term.as_ref().map(|t| check.exclusions(&raw.exclusions, &kpis, t)).unwrap_or_default();
    let disputes =
        term.as_ref().map(|t| check.disputes(&raw.disputes, &kpis, t, kind)).unwrap_or_default();
    let deliverables = check.deliverables(&raw.deliverables);
    let data_protection = check.evidence(&raw.data_protection);
    let review_cadence_days = raw.reviews.as_ref().map(|reviews| {
        check.that(
            (1..=LONGEST_DAYS).contains(&reviews.cadence_days.value),
            &reviews.cadence_days,
            || format!("`cadence_days` must be from 1 to {LONGEST_DAYS}"),
        );
        reviews.cadence_days.value
    });

    let name = check.text(&raw.name, "name").unwrap_or_default();

    match (check.problems.is_empty(), term, service_levels_from) {
        (true, Some(term), Some(service_levels_from)) => Ok(Contract {
            id,
            id_at: raw.id.as_ref().map(|id| (id.line, id.column)),
            file: file.to_owned(),
            name,
            service: raw.service.as_deref().map(clean_text).filter(|s| !s.is_empty()),
            term,
            service_levels_from,
            fee,
            kpis,
            credit_cap_percent,
            earn_back_periods,
            exclusions,
            disputes,
            deliverables,
            data_protection,
            review_cadence_days,
        }),
        _ => Err(Rejected {
            problems: check.problems,
            outline: Outline {
                id: raw.id.map_or_else(|| stem.to_owned(), |id| id.value),
                file: file.to_owned(),
                kpis: Some(raw.kpis.value.into_iter().map(|kpi| kpi.id.value).collect()),
            },
        }),
    }
}

/// Gathers the problems of one file while its parts are validated.
struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    problems: Vec<Diagnostic>,
    /// Every KPI id the contract lists, valid or not.
    listed_kpis: Vec<String>,
}

impl Checker<'_> {
    fn that<T>(&mut self, ok: bool, at: &Spanned<T>, message: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(at.error(self.file, self.text, message()));
        }
    }

    /// A word from the list `T` names, or a problem placed at it.
    fn choice<T: DeserializeOwned>(&mut self, word: &Spanned<String>) -> Option<T> {
        let words: StrDeserializer<'_, serde::de::value::Error> =
            word.value.as_str().into_deserializer();
        match T::deserialize(words) {
            Ok(chosen) => Some(chosen),
            Err(error) => {
                self.problems.push(word.error(self.file, self.text, error.to_string()));
                None
            }
        }
    }

    /// Text shown on pages: cleaned of control characters, and not empty.
    fn text(&mut self, text: &Spanned<String>, key: &str) -> Option<String> {
        let cleaned = clean_text(&text.value);
        if cleaned.is_empty() {
            self.problems.push(text.error(
                self.file,
                self.text,
                format!("`{key}` is empty: write what it is"),
            ));
            return None;
        }
        Some(cleaned)
    }

    /// A date of the contract. Its year is bounded: a term from year 1000 would be scored
    /// month by month for a thousand years, and no contract was signed then.
    fn date(&mut self, text: &Spanned<String>) -> Option<chrono::NaiveDate> {
        let date = dates::parse_date(&text.value)
            .map_err(|message| self.problems.push(text.error(self.file, self.text, message)))
            .ok()?;
        let plausible = CONTRACT_YEARS.contains(&date.year());
        self.that(plausible, text, || {
            format!(
                "{date} is not a year a contract is written for: expected one from {} to {}",
                CONTRACT_YEARS.start(),
                CONTRACT_YEARS.end()
            )
        });
        plausible.then_some(date)
    }

    fn term(&mut self, raw: &RawTerm) -> Option<Term> {
        let start = self.date(&raw.start);
        let end = raw.end.as_ref().map(|end| (end, self.date(end)));
        if let (Some(start), Some((at, Some(end)))) = (start, &end) {
            self.that(*end >= start, at, || {
                format!("the term ends on {end}, before it starts on {start}")
            });
            let days = (*end - start).num_days();
            self.that(days <= i64::from(LONGEST_DAYS), at, || {
                format!("the term runs {days} days, more than a century ({LONGEST_DAYS} days): check the years of `start` and `end`")
            });
        }
        if let Some(days) = &raw.notice_days {
            self.that(raw.end.is_some(), days, || {
                "`notice_days` needs a term `end` to count back from".to_owned()
            });
            self.that(days.value <= LONGEST_DAYS, days, || {
                format!("`notice_days` must be at most {LONGEST_DAYS}")
            });
        }
        let end = match end {
            Some((_, None)) => return None,
            Some((_, Some(end))) => Some(end),
            None => None,
        };
        Some(Term {
            start: start?,
            end,
            notice_days: raw.notice_days.as_ref().map(|d| d.value),
            auto_renew: raw.auto_renew,
        })
    }

    fn fee(&mut self, raw: &RawFee) -> Option<Fee> {
        let monthly = self.decimal(&raw.monthly, "the monthly fee", LARGEST_FEE);
        let code = raw.currency.value.trim();
        let currency = iso_currency::Currency::from_code(code);
        self.that(currency.is_some(), &raw.currency, || {
            format!(
                "`{code}` is not an ISO 4217 currency code: expected one such as EUR, USD or GBP"
            )
        });
        let minor_digits = currency.map(|c| u32::from(c.exponent().unwrap_or(0)))?;
        let monthly = monthly?;
        if monthly.normalize().scale() > minor_digits {
            self.that(false, &raw.monthly, || {
                format!("the monthly fee {monthly} has more decimals than {code}'s {minor_digits}: write it as billed")
            });
            return None;
        }
        Some(Fee { monthly, currency: code.to_owned(), minor_digits })
    }

    /// A non-negative amount up to `largest`, kept as the decimal the user wrote.
    fn decimal(&mut self, value: &Spanned<f64>, what: &str, largest: f64) -> Option<Decimal> {
        let number = value.value;
        if !number.is_finite() || !(0.0..=largest).contains(&number) {
            self.problems.push(value.error(
                self.file,
                self.text,
                format!("{what} must be a number from 0 to {largest}"),
            ));
            return None;
        }
        // The shortest text that reads back as this float is what the user wrote.
        Decimal::from_str(&number.to_string())
            .map_err(|_| {
                self.problems.push(value.error(
                    self.file,
                    self.text,
                    format!("{what} is too large"),
                ));
            })
            .ok()
    }

    fn percent(&mut self, value: &Spanned<f64>, key: &str) -> Option<Decimal> {
        self.decimal(value, &format!("`{key}`, a percentage,"), 100.0)
    }

    fn kpis(&mut self, raw: &Spanned<Vec<RawKpi>>) -> Vec<Kpi> {
        if raw.value.is_empty() {
            self.problems.push(raw.error(
                self.file,
                self.text,
                "the contract lists no KPIs: add at least one under `kpis`",
            ));
        }
        let mut seen = HashSet::new();
        let mut kpis = Vec::new();
        for kpi in &raw.value {
            let id = &kpi.id;
            self.that(is_kpi_id(&id.value), id, || {
                format!("`{}` is not a KPI id: use lowercase letters, digits and `_`", id.value)
            });
            self.that(seen.insert(id.value.clone()), id, || {
                format!("KPI `{}` is listed twice in this contract", id.value)
            });
            if let Some(kpi) = self.kpi(kpi) {
                kpis.push(kpi);
            }
        }
        kpis
    }

    fn kpi(&mut self, raw: &RawKpi) -> Option<Kpi> {
        let before = self.problems.len();
        let unit = self.choice::<RawUnit>(&raw.unit).map(|word| unit(&word));
        let better = self.choice::<RawBetter>(&raw.better).map(|word| match word {
            RawBetter::Lower => Better::Lower,
            RawBetter::Higher => Better::Higher,
        });
        let aggregated = raw.aggregate.as_ref().map(|word| self.choice::<RawAggregate>(word));
        let when_missing =
            raw.when_missing.as_ref().map(|word| self.choice::<RawWhenMissing>(word));
        let measured = raw.measured.as_ref().map(|word| self.choice::<RawMeasured>(word));
        let target = raw.target.value;
        self.that(is_measurable(target), &raw.target, || {
            format!("`target` must be a number between -{LARGEST_VALUE} and {LARGEST_VALUE}")
        });
        if let Some(tolerance) = raw.tolerance.as_ref().filter(|t| !is_measurable(t.value)) {
            self.that(false, tolerance, || {
                format!("`tolerance` must be a number between -{LARGEST_VALUE} and {LARGEST_VALUE}")
            });
        } else if let (Some(tolerance), Some(better)) = (&raw.tolerance, better) {
            let value = tolerance.value;
            let (right_side, word) = match better {
                Better::Lower => (value >= target, "at or above"),
                Better::Higher => (value <= target, "at or below"),
            };
            self.that(value.is_finite() && right_side, tolerance, || {
                format!(
                    "`tolerance` {value} is on the wrong side of `target` {target}: with `better: {}` it must be {word} the target",
                    if better == Better::Lower { "lower" } else { "higher" }
                )
            });
        }
        let weight = raw.weight.as_ref().map_or(1.0, |weight| {
            self.that(WEIGHTS.contains(&weight.value), weight, || {
                format!("`weight` must be a number from {} to {}", WEIGHTS.start(), WEIGHTS.end())
            });
            weight.value
        });
        let credit = better.map(|better| self.credit_rule(raw, better, target));
        if let Some(min_count) = &raw.min_count {
            self.that(min_count.value > 0, min_count, || {
                "`min_count` must be at least 1".to_owned()
            });
        }
        let (Some(unit), Some(better), Some(credit)) = (unit, better, credit) else {
            return None;
        };
        if self.problems.len() > before {
            return None;
        }

        Some(Kpi {
            id: raw.id.value.clone(),
            name: raw
                .name
                .as_deref()
                .map(clean_text)
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| raw.id.value.clone()),
            unit,
            better,
            target,
            tolerance: raw.tolerance.as_ref().map(|t| t.value),
            weight,
            aggregate: aggregate(aggregated.flatten().as_ref()),
            credit,
            when_missing: match when_missing.flatten() {
                Some(RawWhenMissing::Skip) => WhenMissing::Skip,
                Some(RawWhenMissing::Breach) | None => WhenMissing::Breach,
            },
            min_count: raw.min_count.as_ref().map(|m| m.value),
            measured: match measured.flatten() {
                Some(RawMeasured::Quarterly) => Measured::Quarterly,
                Some(RawMeasured::Monthly) | None => Measured::Monthly,
            },
        })
    }

    /// `credit_percent`, or `credit_tiers` listed from the mildest to the most severe, each on
    /// the failing side of the target.
    fn credit_rule(&mut self, raw: &RawKpi, better: Better, target: f64) -> CreditRule {
        match (&raw.credit_percent, &raw.credit_tiers) {
            (None, None) => CreditRule::None,
            (Some(percent), None) => {
                self.percent(percent, "credit_percent").map_or(CreditRule::None, CreditRule::Flat)
            }
            (Some(percent), Some(_)) => {
                self.that(false, percent, || {
                    "a KPI has `credit_percent` or `credit_tiers`, not both".to_owned()
                });
                CreditRule::None
            }
            (None, Some(tiers)) => {
                if tiers.value.is_empty() {
                    self.that(false, tiers, || {
                        "`credit_tiers` is empty: list at least one tier".to_owned()
                    });
                }
                let mut list = Vec::new();
                for (index, tier) in tiers.value.iter().enumerate() {
                    let worse = tier.worse_than.value;
                    self.that(is_measurable(worse), &tier.worse_than, || {
                        format!("`worse_than` must be a number between -{LARGEST_VALUE} and {LARGEST_VALUE}")
                    });
                    let failing_side = match better {
                        Better::Higher => worse <= target,
                        Better::Lower => worse >= target,
                    };
                    self.that(failing_side, &tier.worse_than, || {
                        let word = if better == Better::Higher { "above" } else { "below" };
                        format!("the tier `worse_than: {worse}` is {word} the target {target}: it would charge a KPI that meets its target")
                    });
                    if let Some(previous) = index.checked_sub(1).map(|i| &tiers.value[i]) {
                        let (before, percent_before) =
                            (previous.worse_than.value, previous.percent.value);
                        let in_order = match better {
                            Better::Higher => worse < before,
                            Better::Lower => worse > before,
                        };
                        self.that(in_order, &tier.worse_than, || {
                            format!("tiers are listed from the mildest to the most severe: `worse_than: {worse}` must be {} the {before} before it", if better == Better::Higher { "below" } else { "above" })
                        });
                        self.that(tier.percent.value >= percent_before, &tier.percent, || {
                            format!("a more severe tier owes no less: {} is below the {percent_before} before it", tier.percent.value)
                        });
                    }
                    if let Some(percent) = self.percent(&tier.percent, "percent") {
                        list.push(CreditTier { worse_than: worse, percent });
                    }
                }
                CreditRule::Tiers(list)
            }
        }
    }

    /// Exclusions name a KPI of the contract (or none, for all) and dates that meet the term.
    fn exclusions(&mut self, raw: &[RawExclusion], kpis: &[Kpi], term: &Term) -> Vec<Exclusion> {
        let mut list = Vec::new();
        for item in raw {
            let kpi = item.kpi.as_ref().map(|id| self.kpi_of(id, kpis));
            let from = self.date(&item.from);
            let to = self.date(&item.to);
            let reason = self.text(&item.reason, "reason");
            let (Some(from), Some(to), Some(reason)) = (from, to, reason) else { continue };
            if to < from {
                self.that(false, &item.to, || {
                    format!("the exclusion ends on {to}, before it starts on {from}")
                });
                continue;
            }
            let meets_term = to >= term.start && term.end.is_none_or(|end| from <= end);
            self.that(meets_term, &item.from, || {
                "the exclusion lies outside the contract's term".to_owned()
            });
            match kpi {
                Some(None) => {}
                Some(Some(kpi)) => list.push(Exclusion { kpi: Some(kpi), from, to, reason }),
                None => list.push(Exclusion { kpi: None, from, to, reason }),
            }
        }
        list
    }

    /// Disputes name a KPI of the contract and a period of the term, at most one per pair.
    fn disputes(
        &mut self,
        raw: &[RawDispute],
        kpis: &[Kpi],
        term: &Term,
        kind: PeriodKind,
    ) -> Vec<Dispute> {
        let mut list: Vec<Dispute> = Vec::new();
        for item in raw {
            let kpi = self.kpi_of(&item.kpi, kpis);
            let raised = self.date(&item.raised);
            let text = self.text(&item.text, "text");
            let period = Period::parse(item.period.value.trim()).filter(|p| p.kind() == kind);
            let example = if kind == PeriodKind::Month { "2026-05" } else { "2026-Q2" };
            self.that(period.is_some(), &item.period, || {
                format!(
                    "`{}` is not a period of this site: expected one such as {example}",
                    item.period.value
                )
            });
            let status = self.choice::<RawDisputeStatus>(&item.status);
            let decided = item.decided.as_ref().map(|day| (day, self.date(day)));
            let (Some(kpi), Some(period), Some(raised), Some(text), Some(status)) =
                (kpi, period, raised, text, status)
            else {
                continue;
            };
            let decided = match decided {
                Some((_, None)) => continue,
                Some((day, Some(date))) => {
                    let open = matches!(status, RawDisputeStatus::Open);
                    self.that(!open, day, || {
                        "an open dispute has not been decided: remove `decided`, or set `status` to upheld or rejected".to_owned()
                    });
                    self.that(date >= raised, day, || {
                        format!(
                            "the dispute is decided on {date}, before it was raised on {raised}"
                        )
                    });
                    Some(date)
                }
                None => None,
            };
            let in_term = period.last_day() >= term.start
                && term.end.is_none_or(|end| period.first_day() <= end);
            self.that(in_term, &item.period, || {
                format!("{period} lies outside the contract's term")
            });
            // A quarterly KPI has a result only in the month that measures its quarter: a
            // dispute on any other month would be shown and change nothing.
            if in_term && kind == PeriodKind::Month && kpis[kpi].measured == Measured::Quarterly {
                let measuring = term.measuring_month(period);
                self.that(period == measuring, &item.period, || {
                    format!(
                        "`{}` is measured quarterly, so {period} has no result to dispute: its quarter is measured in {measuring}",
                        item.kpi.value
                    )
                });
            }
            let twice = list.iter().any(|d| d.kpi == kpi && d.period == period);
            self.that(!twice, &item.kpi, || {
                format!(
                    "a second dispute for `{}` in {period}: one dispute per KPI and period",
                    item.kpi.value
                )
            });
            let status = match status {
                RawDisputeStatus::Open => DisputeStatus::Open,
                RawDisputeStatus::Upheld => DisputeStatus::Upheld,
                RawDisputeStatus::Rejected => DisputeStatus::Rejected,
            };
            list.push(Dispute { kpi, period, raised, status, decided, text });
        }
        list
    }

    /// The index of a KPI the contract declares; a problem otherwise.
    /// The index of a KPI among those that loaded; a problem when the contract lists no KPI of
    /// that id at all (a KPI listed but invalid has its own problem already).
    fn kpi_of(&mut self, id: &Spanned<String>, kpis: &[Kpi]) -> Option<usize> {
        let found = kpis.iter().position(|k| k.id == id.value.trim());
        let listed = self.listed_kpis.iter().any(|k| k == id.value.trim());
        let ids = self.listed_kpis.join(", ");
        self.that(listed, id, || {
            format!("the contract declares no KPI `{}`: expected one of {ids}", id.value,)
        });
        found
    }

    fn item_id(&mut self, id: &Spanned<String>, seen: &mut HashSet<String>, what: &str) {
        self.that(is_vendor_id(&id.value), id, || {
            format!("`{}` is not a {what} id: use lowercase letters, digits and `-`", id.value)
        });
        self.that(seen.insert(id.value.clone()), id, || {
            format!("{what} `{}` is listed twice", id.value)
        });
    }

    fn deliverables(&mut self, raw: &[RawDeliverable]) -> Vec<Deliverable> {
        let mut seen = HashSet::new();
        let mut list = Vec::new();
        for item in raw {
            self.item_id(&item.id, &mut seen, "deliverable");
            let name = self.text(&item.name, "name");
            let due = self.date(&item.due);
            // `None` when the delivery date is written but unreadable (already reported).
            let delivered = match &item.delivered {
                Some(date) => self.date(date).map(Some),
                None => Some(None),
            };
            if let (Some(due), Some(delivered), Some(name)) = (due, delivered, name) {
                list.push(Deliverable {
                    id: item.id.value.clone(),
                    name,
                    due,
                    delivered,
                    accepted: item.accepted,
                });
            }
        }
        list
    }

    fn evidence(&mut self, raw: &[RawEvidence]) -> Vec<Evidence> {
        let mut seen = HashSet::new();
        let mut list = Vec::new();
        for item in raw {
            self.item_id(&item.id, &mut seen, "data-protection item");
            let clause = self.text(&item.clause, "clause");
            let evidence = self.text(&item.evidence, "evidence");
            self.that(item.valid_days.value <= LONGEST_DAYS, &item.valid_days, || {
                format!("`valid_days` must be at most {LONGEST_DAYS}")
            });
            if let (Some(verified), Some(clause), Some(evidence)) =
                (self.date(&item.verified), clause, evidence)
            {
                list.push(Evidence {
                    id: item.id.value.clone(),
                    clause,
                    evidence,
                    verified,
                    valid_days: item.valid_days.value,
                });
            }
        }
        list
    }
}

fn unit(raw: &RawUnit) -> Unit {
    match raw {
        RawUnit::Seconds => Unit::Seconds,
        RawUnit::Minutes => Unit::Minutes,
        RawUnit::Hours => Unit::Hours,
        RawUnit::Days => Unit::Days,
        RawUnit::Percent => Unit::Percent,
        RawUnit::Count => Unit::Count,
        RawUnit::Score => Unit::Score,
        RawUnit::Ratio => Unit::Ratio,
        RawUnit::Currency => Unit::Currency,
    }
}

fn aggregate(raw: Option<&RawAggregate>) -> Aggregate {
    match raw {
        None | Some(RawAggregate::Mean) => Aggregate::Mean,
        Some(RawAggregate::Median) => Aggregate::Median,
        Some(RawAggregate::Sum) => Aggregate::Sum,
        Some(RawAggregate::Min) => Aggregate::Min,
        Some(RawAggregate::Max) => Aggregate::Max,
        Some(RawAggregate::Last) => Aggregate::Last,
        Some(RawAggregate::P90) => Aggregate::P90,
        Some(RawAggregate::P95) => Aggregate::P95,
        Some(RawAggregate::Count) => Aggregate::Count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LUMEN: &str = "name: Lumen Desk\nservice: E-mail support\n\
        term: { start: 2026-01-01, end: 2026-12-31, notice_days: 60 }\n\
        fee: { monthly: 8000, currency: EUR }\n\
        kpis:\n\
        \x20 - { id: first_reply, name: First reply, unit: minutes, better: lower, target: 30, tolerance: 60,\n\
        \x20     aggregate: median, credit_percent: 3 }\n\
        \x20 - { id: solved, name: Solved in 24 h, unit: percent, better: higher, target: 90, weight: 2,\n\
        \x20     credit_percent: 5 }\n\
        credits: { cap_percent: 6 }\n";

    fn problems(text: &str) -> Vec<Diagnostic> {
        parse("contracts/lumen.yaml", "lumen", text, PeriodKind::Month).unwrap_err().problems
    }

    #[test]
    fn the_worked_example_reads_with_its_defaults() {
        let contract = parse("contracts/lumen.yaml", "lumen", LUMEN, PeriodKind::Month).unwrap();
        assert_eq!(contract.id, "lumen");
        assert_eq!(contract.service_levels_from, contract.term.start);
        assert_eq!(contract.term.notice_deadline().unwrap().to_string(), "2026-11-01");
        assert_eq!(contract.fee.as_ref().unwrap().monthly, Decimal::from(8000));
        assert_eq!(contract.fee.as_ref().unwrap().minor_digits, 2);
        assert_eq!(contract.kpis[0].aggregate, Aggregate::Median);
        assert_eq!(contract.kpis[1].aggregate, Aggregate::Mean);
        assert_eq!((contract.kpis[0].weight, contract.kpis[1].weight), (1.0, 2.0));
        assert_eq!(contract.credit_cap_percent, Some(Decimal::from(6)));
    }

    #[test]
    fn tolerance_on_the_wrong_side_is_placed_at_the_tolerance() {
        let text = LUMEN.replace("target: 30, tolerance: 60", "target: 30, tolerance: 20");
        let found = problems(&text);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].column), (Some(6), Some(96)));
        assert!(found[0].message.contains("wrong side"), "{}", found[0].message);
    }

    #[test]
    fn every_problem_of_a_file_is_listed() {
        let text = LUMEN
            .replace("id: solved", "id: Solved")
            .replace("start: 2026-01-01", "start: 2026-02-30")
            .replace("weight: 2", "weight: 0")
            .replace("EUR", "EURO");
        let found = problems(&text);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(found.len(), 4, "{messages:#?}");
        assert!(messages.iter().any(|m| m.contains("not a day of the calendar")));
        assert!(messages.iter().any(|m| m.contains("`Solved` is not a KPI id")));
        assert!(messages.iter().any(|m| m.contains("`weight` must be a number from 0.000001")));
        assert!(messages.iter().any(|m| m.contains("`EURO` is not an ISO 4217")));
    }

    #[test]
    fn every_wrong_word_of_a_file_is_listed_at_its_place() {
        let text = LUMEN
            .replace("unit: minutes", "unit: mins")
            .replace("better: lower", "better: lowr")
            .replace("aggregate: median", "aggregate: p99");
        let found = problems(&text);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(found.len(), 3, "{messages:#?}");
        assert!(messages[0].starts_with("unknown variant `mins`, expected one of `seconds`"));
        assert!(messages[1].starts_with("unknown variant `lowr`, expected `lower` or `higher`"));
        assert!(messages[2].starts_with("unknown variant `p99`, expected one of `mean`"));
        let places: Vec<_> = found.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(places[0], (Some(6), Some(49)));
        assert_eq!((places[1].0, places[2].0), (Some(6), Some(7)));
    }

    #[test]
    fn a_term_is_written_for_this_era_and_at_most_a_century() {
        let ancient = problems(&LUMEN.replace("start: 2026-01-01", "start: 1000-01-01"));
        assert_eq!(ancient.len(), 1, "{ancient:#?}");
        assert!(
            ancient[0].message.starts_with("1000-01-01 is not a year a contract is written for")
        );
        assert_eq!(ancient[0].line, Some(3));
        // 1 January 2026 to 1 January 2127 is 101 years, 24 of them leap (2100 is not): 36,889 days.
        let long = problems(&LUMEN.replace("end: 2026-12-31", "end: 2127-01-01"));
        assert_eq!(long.len(), 1, "{long:#?}");
        assert!(
            long[0].message.starts_with("the term runs 36889 days, more than a century"),
            "{}",
            long[0].message
        );
    }

    #[test]
    fn a_weight_too_small_to_score_is_placed_at_the_weight() {
        let found = problems(&LUMEN.replace("weight: 2", "weight: 1e-30"));
        assert_eq!(found.len(), 1, "{found:#?}");
        // Line 8, column 92: the value after `weight: ` on the line of `solved`.
        assert_eq!((found[0].line, found[0].column), (Some(8), Some(92)));
        assert!(found[0].message.contains("from 0.000001 to 1000000"), "{}", found[0].message);
        assert!(
            parse(
                "c.yaml",
                "c",
                &LUMEN.replace("weight: 2", "weight: 0.000001"),
                PeriodKind::Month
            )
            .is_ok()
        );
    }

    #[test]
    fn duplicate_kpi_ids_are_an_error() {
        let text = LUMEN.replace("id: solved", "id: first_reply");
        let found = problems(&text);
        assert!(found[0].message.contains("listed twice"), "{found:?}");
        assert_eq!(found[0].line, Some(8));
    }

    #[test]
    fn unknown_keys_are_errors() {
        let text = LUMEN.replace("weight: 2", "wieght: 2");
        let found = problems(&text);
        assert!(found[0].message.contains("unknown field `wieght`"), "{found:?}");
        assert_eq!(found[0].line, Some(8));
    }

    #[test]
    fn a_file_name_that_is_no_id_needs_an_id_key() {
        let found = parse("contracts/Lumen Desk.yaml", "Lumen Desk", LUMEN, PeriodKind::Month)
            .unwrap_err()
            .problems;
        assert!(found[0].message.contains("not a vendor id"));
        let named = format!("id: lumen\n{LUMEN}");
        assert_eq!(
            parse("contracts/Lumen Desk.yaml", "Lumen Desk", &named, PeriodKind::Month).unwrap().id,
            "lumen"
        );
    }

    #[test]
    fn ids_follow_their_patterns() {
        assert!(is_vendor_id("northwind-support") && is_vendor_id("9lives"));
        assert!(!is_vendor_id("-x") && !is_vendor_id("North") && !is_vendor_id(&"a".repeat(64)));
        assert!(is_kpi_id("avg_wait_time") && !is_kpi_id("avg-wait") && !is_kpi_id(""));
    }
}
