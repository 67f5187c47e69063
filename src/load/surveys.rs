//! `surveys/**/*.csv`: customer surveys, staff feedback, shadowing sessions and the vendor
//! team's own feedback, as `date,vendor,kind,score,comment`. Answers carry no respondent; they
//! are folded into one cell per vendor, kind and period.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::diagnostics::{Diagnostic, FileProblems};
use crate::evaluate::periods::{Period, PeriodKind};
use crate::load::dates::parse_timestamp;
use crate::load::discover::InputFile;
use crate::load::fold::LeftOut;
use crate::load::tables::{Next, Row, Table, TableOptions};
use crate::load::values::{clean_text, parse_number, shorten};
use crate::model::{Contract, SurveyCell, SurveyKey, SurveyKind};

/// What the survey files held.
#[derive(Debug, Default)]
pub struct SurveysRead {
    pub cells: HashMap<SurveyKey, SurveyCell>,
    pub answers: u64,
    /// Per vendor (index into the contracts): answers dated outside the term or after `as_of`.
    pub left_out: HashMap<usize, LeftOut>,
    pub problems: Vec<Diagnostic>,
}

struct Columns {
    date: usize,
    vendor: Option<usize>,
    kind: usize,
    score: usize,
    comment: Option<usize>,
    width: usize,
}

/// Reads every survey file; `broken` lists the ids of contracts that failed to load.
pub fn read(
    files: &[InputFile],
    contracts: &[Contract],
    broken: &[String],
    kind: PeriodKind,
    as_of: Option<NaiveDate>,
) -> SurveysRead {
    let mut read = SurveysRead::default();
    for (index, file) in (0u32..).zip(files) {
        read_file(file, index, contracts, broken, kind, as_of, &mut read);
    }
    read
}

fn read_file(
    file: &InputFile,
    index: u32,
    contracts: &[Contract],
    broken: &[String],
    kind: PeriodKind,
    as_of: Option<NaiveDate>,
    read: &mut SurveysRead,
) {
    let mut problems = FileProblems::new(&file.shown);
    let vendor_of = |id: &str| -> Result<Option<usize>, String> {
        match contracts.iter().position(|c| c.id == id) {
            Some(index) => Ok(Some(index)),
            None if broken.iter().any(|b| b == id) => Ok(None),
            None => {
                let ids: Vec<&str> = contracts.iter().map(|c| c.id.as_str()).take(12).collect();
                Err(format!(
                    "no contract has the vendor id `{}`: expected one of {}",
                    shorten(id),
                    ids.join(", ")
                ))
            }
        }
    };
    let folder = match file.subfolders().first() {
        Some(folder) => match vendor_of(folder) {
            Ok(vendor) => Some(vendor),
            Err(_) => {
                let message = format!(
                    "the folder `surveys/{folder}/` names no contract: expected the id of a vendor"
                );
                read.problems.push(Diagnostic::error(&file.shown, message));
                return;
            }
        },
        None => None,
    };

    let options = TableOptions { delimiter: Some(b','), ..TableOptions::default() };
    let mut table = match Table::open(&file.path, options) {
        Ok(table) => table,
        Err(error) => {
            read.problems.push(error.diagnostic(&file.shown));
            return;
        }
    };
    let mut row = Row::default();
    let mut columns: Option<Columns> = None;
    loop {
        let report = |line, column, message| problems.add(line, column, message);
        if table.next_readable(&mut row, columns.is_some(), "save the file as UTF-8", report)
            != Next::Row
        {
            break;
        }
        let Some(found) = &columns else {
            match header(&row, folder.is_some()) {
                Ok(found) => columns = Some(found),
                Err((column, message)) => {
                    problems.add(row.line, column, message);
                    break;
                }
            }
            continue;
        };
        if row.is_blank() {
            continue;
        }
        if row.cells.len() != found.width {
            problems.add(
                row.line,
                None,
                format!("has {} cells where the header has {}", row.cells.len(), found.width),
            );
            continue;
        }
        let cell = |i: usize| row.cells[i].trim();

        let vendor = match (folder, found.vendor) {
            (Some(vendor), None) => Some(vendor),
            (_, Some(column)) => match vendor_of(cell(column)) {
                // A row may not name another vendor than the folder it is filed under.
                Ok(named) if folder.is_some_and(|f| f != named) => {
                    let message = format!(
                        "the row names vendor `{}` but the file is under surveys/{}/: move the row, or the file out of that folder",
                        shorten(cell(column)),
                        file.subfolders().first().copied().unwrap_or_default()
                    );
                    problems.add(row.line, Some(column), message);
                    None
                }
                Ok(vendor) => Some(vendor),
                Err(message) => {
                    problems.add(row.line, Some(column), message);
                    None
                }
            },
            (None, None) => None,
        };
        let date = parse_timestamp(cell(found.date))
            .map_err(|m| problems.add(row.line, Some(found.date), m))
            .ok();
        let survey_kind = SurveyKind::parse(cell(found.kind));
        if survey_kind.is_none() {
            let message = format!(
                "`{}` is not a kind of survey: expected customer, staff, shadowing or vendor_team",
                shorten(cell(found.kind))
            );
            problems.add(row.line, Some(found.kind), message);
        }
        let score = match parse_number(cell(found.score)) {
            Ok(score) if (1.0..=5.0).contains(&score) && (score * 2.0).fract() == 0.0 => {
                Some(score)
            }
            _ => {
                let message = format!(
                    "`{}` is not a score: expected a number from 1 to 5, in steps of 0.5",
                    shorten(cell(found.score))
                );
                problems.add(row.line, Some(found.score), message);
                None
            }
        };
        let (Some(Some(vendor)), Some(at), Some(survey_kind), Some(score)) =
            (vendor, date, survey_kind, score)
        else {
            continue;
        };

        let day = at.date();
        if !contracts[vendor].in_term(day) {
            read.left_out.entry(vendor).or_default().outside_term += 1;
            continue;
        }
        if as_of.is_some_and(|as_of| day > as_of) {
            read.left_out.entry(vendor).or_default().after_as_of += 1;
            continue;
        }
        let key = SurveyKey { vendor, kind: survey_kind, period: Period::containing(kind, day) };
        let survey = read.cells.entry(key).or_default();
        survey.count += 1;
        survey.sum += score;
        let comment = found.comment.map(|c| clean_text(&row.cells[c])).filter(|c| !c.is_empty());
        if let Some(comment) = comment {
            survey.comments.push((day, (index, row.line), comment));
        }
        read.answers += 1;
    }
    table.report_unclosed_quote(&mut problems);
    let mut problems = problems.finish();
    if columns.is_none() && problems.is_empty() {
        let message = "the file is empty: write the header `date,vendor,kind,score,comment` and one answer a row";
        let mut problem = Diagnostic::error(&file.shown, message);
        problem.line = Some(1);
        problems.push(problem);
    }
    read.problems.extend(problems);
}

/// The columns of a survey file.
const KNOWN: [&str; 5] = ["date", "vendor", "kind", "score", "comment"];

/// The columns found, or what is wrong with the header and the column it is in.
fn header(row: &Row, in_vendor_folder: bool) -> Result<Columns, (Option<usize>, String)> {
    let names: Vec<String> = row.cells.iter().map(|c| c.trim().to_ascii_lowercase()).collect();
    let find = |name: &str| names.iter().position(|n| n == name);
    let expected = "expected a header such as `date,vendor,kind,score,comment`";
    for (index, name) in names.iter().enumerate() {
        if !KNOWN.contains(&name.as_str()) {
            return Err((
                Some(index),
                format!(
                    "`{}` is not a column of a survey file: it holds {} only (answers are anonymous, so there is no respondent column)",
                    shorten(&row.cells[index]),
                    KNOWN.join(", ")
                ),
            ));
        }
        if names[..index].contains(name) {
            return Err((
                Some(index),
                format!("the header names `{name}` twice: keep one of them"),
            ));
        }
    }
    let missing: Vec<&str> =
        ["date", "kind", "score"].into_iter().filter(|name| find(name).is_none()).collect();
    if !missing.is_empty() {
        return Err((
            None,
            format!("the header has no column `{}`: {expected}", missing.join("`, `")),
        ));
    }
    let vendor = find("vendor");
    if vendor.is_none() && !in_vendor_folder {
        return Err((
            None,
            "the header has no `vendor` column: add one, or put the file under surveys/<vendor>/"
                .to_owned(),
        ));
    }
    Ok(Columns {
        date: find("date").unwrap_or(0),
        vendor,
        kind: find("kind").unwrap_or(0),
        score: find("score").unwrap_or(0),
        comment: find("comment"),
        width: row.cells.len(),
    })
}
