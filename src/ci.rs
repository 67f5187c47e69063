//! How a run reports to a CI system: a GitHub workflow command per problem, which the run page
//! shows on the line it names, or one JSON document for other tools.

use serde_json::{Value, json};

use crate::diagnostics::{Diagnostic, Severity};
use crate::gates::Tripped;

/// `::error file=…,line=…,col=…::message`, as GitHub Actions reads it from a step's output;
/// `project` is the project folder as given, from where the pipeline runs.
pub fn annotation(problem: &Diagnostic, project: &std::path::Path) -> String {
    let level = match problem.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let file = repository_path(project, &problem.file);
    let mut properties = vec![format!("file={}", property(&file))];
    if let Some(line) = problem.line {
        properties.push(format!("line={line}"));
    }
    // In a table the column of a problem is the field's number, not the character GitHub
    // would mark, so tables are placed by their line alone.
    let table = [".csv", ".tsv", ".txt", ".xlsx"]
        .iter()
        .any(|e| problem.file.to_ascii_lowercase().ends_with(e));
    if let Some(column) = problem.column.filter(|_| !table) {
        properties.push(format!("col={column}"));
    }
    format!("::{level} {}::{}", properties.join(","), data(&message(problem)))
}

/// `file=` of an annotation: GitHub places it relative to the repository, where the pipeline
/// runs, so the project folder as given is put in front of the project-relative path.
pub fn repository_path(project: &std::path::Path, file: &str) -> String {
    let folder = project.to_string_lossy().replace('\\', "/");
    let folder = folder.trim_start_matches("./").trim_end_matches('/');
    if folder.is_empty() || folder == "." { file.to_owned() } else { format!("{folder}/{file}") }
}

/// The message with its help.
fn message(problem: &Diagnostic) -> String {
    let mut text = problem.message.clone();
    if let Some(help) = &problem.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    text
}

/// A message of a workflow command: `%`, CR and LF are written as GitHub decodes them, so that
/// text from an input file can end neither the command nor the line; other control characters
/// are replaced, and nothing in it can read as a command of its own.
pub fn data(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() && c != '\r' && c != '\n' { '\u{fffd}' } else { c })
        .collect();
    inert(&text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A"))
}

/// One line of the log, which may quote cells of the inputs: their line breaks and other control
/// characters are replaced, so that a cell can neither start a line of its own (a workflow
/// command) nor move the cursor or colour the terminal.
pub fn log_line(text: &str) -> String {
    let text: String =
        text.chars().map(|c| if c.is_control() && c != '\t' { '\u{fffd}' } else { c }).collect();
    inert(&text)
}

/// A line for a CI log in which text from the inputs cannot act as a workflow command: GitHub
/// reads `::name::` at the start of a line and `##[name]` anywhere in it. A zero-width space
/// keeps both from reading as such, and the line from looking any different.
pub fn inert(line: &str) -> String {
    let line = line.replace("##[", "##\u{200b}[");
    match line.trim_start().strip_prefix("::") {
        Some(_) => line.replacen("::", ":\u{200b}:", 1),
        None => line,
    }
}

/// A property of a workflow command, where `:` and `,` also end the value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The JSON report of `check --format json`: every problem with its place, the gates that
/// tripped, and the summary line or the reason the run failed.
pub fn json_report(
    project: &std::path::Path,
    problems: &[&Diagnostic],
    tripped: &[Tripped],
    summary: Option<&str>,
    error: Option<&str>,
    exit_code: u8,
) -> String {
    let problems: Vec<Value> = problems
        .iter()
        .map(|p| {
            json!({
                "severity": match p.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "file": repository_path(project, &p.file),
                "line": p.line,
                "column": p.column,
                "message": p.message,
                "help": p.help,
                "unlisted": p.unlisted,
            })
        })
        .collect();
    let tripped: Vec<Value> = tripped
        .iter()
        .map(|t| json!({ "gate": t.gate.to_string(), "vendors": t.vendors }))
        .collect();
    let report = json!({
        "exit_code": exit_code,
        "summary": summary,
        "error": error,
        "problems": problems,
        "gates_tripped": tripped,
    });
    // `#` written as an escape inside strings is the same JSON, and keeps a CI log from reading
    // `##[` in a message as a workflow command.
    serde_json::to_string_pretty(&report).unwrap_or_default().replace("##[", "\\u0023#[")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_annotation_names_the_place_and_escapes_the_text() {
        let here = std::path::Path::new(".");
        let problem =
            Diagnostic::error("contracts/a,b.yaml", "100% wrong\nsecond line").at(3, 7, None);
        assert_eq!(
            annotation(&problem, here),
            "::error file=contracts/a%2Cb.yaml,line=3,col=7::100%25 wrong%0Asecond line"
        );
        let unplaced = Diagnostic::warning("kpis/x.csv", "a::b");
        assert_eq!(annotation(&unplaced, here), "::warning file=kpis/x.csv::a::b");
        let cell = Diagnostic::error("kpis/x.csv", "bad").at(4, 2, None);
        assert_eq!(
            annotation(&cell, std::path::Path::new("cards")),
            "::error file=cards/kpis/x.csv,line=4::bad"
        );
    }

    #[test]
    fn text_from_the_inputs_cannot_become_a_workflow_command() {
        assert_eq!(
            inert("source ##[stop-commands]zz: read"),
            "source ##\u{200b}[stop-commands]zz: read"
        );
        assert_eq!(inert("  ::error::x"), "  :\u{200b}:error::x");
        assert_eq!(inert("grades A 1, B::2"), "grades A 1, B::2");
        assert_eq!(data("a\u{1b}[31mred\u{7}"), "a\u{fffd}[31mred\u{fffd}");
        assert_eq!(data("x ##[error]y"), "x ##\u{200b}[error]y");
        // A cell quoted in a log line cannot start a line of its own.
        assert_eq!(log_line("values `x\n::error::Void` 1"), "values `x\u{fffd}::error::Void` 1");
        assert_eq!(log_line("`\u{1b}]0;owned\u{7}` 1\tnext"), "`\u{fffd}]0;owned\u{fffd}` 1\tnext");
    }

    #[test]
    fn annotations_name_files_from_the_repository() {
        use std::path::Path;
        assert_eq!(repository_path(Path::new("."), "kpis/a.csv"), "kpis/a.csv");
        assert_eq!(
            repository_path(Path::new("./scorecards/"), "kpis/a.csv"),
            "scorecards/kpis/a.csv"
        );
        assert_eq!(
            repository_path(Path::new("ops/cards"), "vendorcard.yaml"),
            "ops/cards/vendorcard.yaml"
        );
    }
}
