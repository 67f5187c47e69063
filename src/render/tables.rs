//! `data/scores.csv` and `data/credits.csv`: the figures as spreadsheets read them, `.` as the
//! decimal mark, an empty cell where there is no value.

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

fn write(rows: Vec<Vec<String>>) -> String {
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(row);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

pub fn scores_csv(project: &Project, evaluation: &Evaluation) -> String {
    let mut rows =
        vec![["vendor", "period", "kpi", "actual", "status", "score"].map(str::to_owned).to_vec()];
    for card in &evaluation.scorecards {
        let contract = &project.contracts[card.vendor];
        for period in &card.periods {
            for (kpi, result) in contract.kpis.iter().zip(&period.kpis) {
                rows.push(vec![
                    text_cell(&contract.id),
                    period.period.to_string(),
                    text_cell(&kpi.id),
                    number(result.actual),
                    result.status.name().to_owned(),
                    number(result.score),
                ]);
            }
        }
    }
    write(rows)
}

pub fn credits_csv(project: &Project, evaluation: &Evaluation) -> String {
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
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    for card in &evaluation.scorecards {
        let contract = &project.contracts[card.vendor];
        let currency = contract.fee.as_ref().map(|f| f.currency.clone()).unwrap_or_default();
        let digits =
            contract.fee.as_ref().map_or(2, |f| usize::try_from(f.minor_digits).unwrap_or(2));
        for period in &card.periods {
            for (kpi, result) in contract.kpis.iter().zip(&period.kpis) {
                let Some(credit) = &result.credit else { continue };
                rows.push(vec![
                    text_cell(&contract.id),
                    period.period.to_string(),
                    text_cell(&kpi.id),
                    decimal(credit.percent_before_cap),
                    decimal(credit.percent),
                    credit.amount.map_or_else(String::new, |a| format!("{a:.digits$}")),
                    text_cell(&currency),
                    credit.state.name().to_owned(),
                    credit.capped.to_string(),
                ]);
            }
        }
    }
    write(rows)
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
