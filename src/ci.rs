//! How a run reports to a CI system: a GitHub workflow command per problem, which the run page
//! shows on the line it names, or one JSON document for other tools.

use serde_json::{Value, json};

use crate::diagnostics::{Diagnostic, Severity};

/// `::error file=…,line=…,col=…::message`, as GitHub Actions reads it from a step's output.
pub fn annotation(problem: &Diagnostic) -> String {
    let level = match problem.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = vec![format!("file={}", property(&problem.file))];
    if let Some(line) = problem.line {
        properties.push(format!("line={line}"));
    }
    if let Some(column) = problem.column {
        properties.push(format!("col={column}"));
    }
    format!("::{level} {}::{}", properties.join(","), data(&message(problem)))
}

/// The message with its help and the count of problems it stands for.
fn message(problem: &Diagnostic) -> String {
    let mut text = problem.message.clone();
    if let Some(help) = &problem.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    if problem.unlisted > 0 {
        text.push_str(&format!("\n(and {} more like it in this file)", problem.unlisted));
    }
    text
}

/// A message of a workflow command: `%`, CR and LF are written as GitHub decodes them, so that
/// text from an input file can end neither the command nor the line.
pub fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property of a workflow command, where `:` and `,` also end the value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The JSON report of `check --format json`: every problem with its place, the gates that
/// tripped, and the summary line or the reason the run failed.
pub fn json_report(
    problems: &[&Diagnostic],
    tripped: &[String],
    summary: Option<&str>,
    error: Option<&str>,
    exit_code: u8,
) -> String {
    let problems: Vec<Value> = problems
        .iter()
        .map(|p| {
            json!({
                "severity": match p.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "message": p.message,
                "help": p.help,
                "unlisted": p.unlisted,
            })
        })
        .collect();
    let report = json!({
        "exit_code": exit_code,
        "summary": summary,
        "error": error,
        "problems": problems,
        "gates_tripped": tripped,
    });
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_annotation_names_the_place_and_escapes_the_text() {
        let problem =
            Diagnostic::error("contracts/a,b.yaml", "100% wrong\nsecond line").at(3, 7, None);
        assert_eq!(
            annotation(&problem),
            "::error file=contracts/a%2Cb.yaml,line=3,col=7::100%25 wrong%0Asecond line"
        );
        let unplaced = Diagnostic::warning("kpis/x.csv", "a::b");
        assert_eq!(annotation(&unplaced), "::warning file=kpis/x.csv::a::b");
    }
}
