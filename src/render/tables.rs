//! `data/scores.csv` and `data/credits.csv`: the figures as spreadsheets read them, `.` as the
//! decimal mark, an empty cell where there is no value.

use std::io;

use rust_decimal::Decimal;

use crate::evaluate::Evaluation;
use crate::evaluate::rounding::round_half_away;
use crate::model::Project;

/// A text cell that a spreadsheet would run as a formula is prefixed with `'`. Numbers are
/// written by [`number`] and never pass through here.
pub fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A number in its shortest form: `45`, `74.25`.
fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

fn decimal(value: Decimal) -> String {
    round_half_away(rust_decimal::prelude::ToPrimitive::to_f64(&value).unwrap_or(0.0), 6)
        .to_string()
}

/// A CSV writer of rows ending in `\n`, straight into the file: the tables of a large portfolio
/// run to hundreds of thousands of rows, and are never held whole.
fn writer(out: &mut dyn io::Write) -> csv::Writer<&mut dyn io::Write> {
    csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out)
}

pub fn scores_csv(
    project: &Project,
    evaluation: &Evaluation,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut rows = writer(out);
    rows.write_record(["vendor", "period", "kpi", "actual", "status", "score"])?;
    for card in &evaluation.scorecards {
        let contract = &project.contracts[card.vendor];
        for period in &card.periods {
            for (kpi, result) in contract.kpis.iter().zip(&period.kpis) {
                rows.write_record([
                    text_cell(&contract.id),
                    period.period.to_string(),
                    text_cell(&kpi.id),
                    number(result.actual),
                    result.status.name().to_owned(),
                    number(result.score),
                ])?;
            }
        }
    }
    rows.flush()
}

pub fn credits_csv(
    project: &Project,
    evaluation: &Evaluation,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let header = [
        "vendor",
        "period",
        "kpi",
        "percent_before_cap",
        "percent",
        "amount",
        "currency",
        "state",
        "capped",
    ];
    let mut rows = writer(out);
    rows.write_record(header)?;
    for card in &evaluation.scorecards {
        let contract = &project.contracts[card.vendor];
        let currency = contract.fee.as_ref().map(|f| f.currency.clone()).unwrap_or_default();
        let digits =
            contract.fee.as_ref().map_or(2, |f| usize::try_from(f.minor_digits).unwrap_or(2));
        for period in &card.periods {
            for (kpi, result) in contract.kpis.iter().zip(&period.kpis) {
                let Some(credit) = &result.credit else { continue };
                rows.write_record([
                    text_cell(&contract.id),
                    period.period.to_string(),
                    text_cell(&kpi.id),
                    decimal(credit.percent_before_cap),
                    decimal(credit.percent),
                    credit.amount.map_or_else(String::new, |a| format!("{a:.digits$}")),
                    text_cell(&currency),
                    credit.state.name().to_owned(),
                    credit.capped.to_string(),
                ])?;
            }
        }
    }
    rows.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text_cell("+1"), "'+1");
        assert_eq!(text_cell("-2"), "'-2");
        assert_eq!(text_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_cell("acme"), "acme");
    }

    #[test]
    fn numbers_are_written_in_their_shortest_form() {
        assert_eq!(number(Some(45.0)), "45");
        assert_eq!(number(Some(-3.5)), "-3.5");
        assert_eq!(number(None), "");
    }
}
