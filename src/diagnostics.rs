//! Problems found in the inputs, each with its place, gathered over a whole run and printed the
//! way a compiler prints them: what is wrong, where, the offending line and a caret under it.

use std::fmt;

/// How bad a problem is: errors fail the run, warnings are printed and the run goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file as the user knows it: relative to the project folder, `/`-separated.
    pub file: String,
    /// 1-based line (for CSV, the line the row starts on).
    pub line: Option<u64>,
    /// 1-based column (for CSV, the field's position in the row).
    pub column: Option<u64>,
    pub message: String,
    /// The text of the offending line, shown with a caret under `column`.
    pub source_line: Option<String>,
    /// What to do about it, when the message alone does not say.
    pub help: Option<String>,
    /// Whether the file could not be read at all, rather than read and found wrong.
    pub io: bool,
    /// Further problems of the same file that this one stands for, not listed one by one.
    pub unlisted: u64,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
            source_line: None,
            help: None,
            io: false,
            unlisted: 0,
        }
    }

    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(file, message) }
    }

    /// Places the problem at a line and column, quoting that line of `text` when given.
    #[must_use]
    pub fn at(mut self, line: u64, column: u64, text: Option<&str>) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self.source_line = text.and_then(|text| nth_line(text, line)).map(str::to_owned);
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Marks the problem as one of reading, not of content: the run exits with code 2.
    #[must_use]
    pub fn io(mut self) -> Self {
        self.io = true;
        self
    }

    /// `file:line:col`, or as much of it as is known.
    pub fn place(&self) -> String {
        match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", self.file),
            (Some(line), None) => format!("{}:{line}", self.file),
            _ => self.file.clone(),
        }
    }
}

fn nth_line(text: &str, line: u64) -> Option<&str> {
    let index = usize::try_from(line.checked_sub(1)?).ok()?;
    text.lines().nth(index).map(|l| l.trim_end_matches('\r'))
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Messages quote cells and file names, which may hold anything: nothing in them may
        // move the cursor or colour the terminal.
        writeln!(f, "{label}: {}", printable(&self.message, LONGEST_MESSAGE))?;
        write!(f, "  --> {}", printable(&self.place(), LONGEST_MESSAGE))?;

        if let (Some(source), Some(line), Some(column)) =
            (&self.source_line, self.line, self.column)
        {
            let number = line.to_string();
            let gutter = " ".repeat(number.len());
            let shown = printable(source, LONGEST_SOURCE_LINE);
            let caret_at =
                shown.chars().take(usize::try_from(column).unwrap_or(1).saturating_sub(1));
            let padding: String = caret_at.map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
            write!(f, "\n {gutter} |\n {number} | {shown}\n {gutter} | {padding}^")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {}", printable(help, LONGEST_MESSAGE))?;
        }
        Ok(())
    }
}

/// The most of a line of an input file shown under a problem: enough to see the place, while a
/// line of a megabyte (a quote left open) does not flood the terminal.
const LONGEST_SOURCE_LINE: usize = 200;
/// The most of a message shown. Messages are sentences of ours that quote cells and list
/// columns, which must be read whole to be acted on; the limit only stops a runaway.
const LONGEST_MESSAGE: usize = 4000;

/// Control characters from an input file must not reach the terminal as themselves.
fn printable(line: &str, longest: usize) -> String {
    let mut shown: String = line
        .chars()
        .take(longest)
        .map(|c| if c.is_control() && c != '\t' { '\u{fffd}' } else { c })
        .collect();
    if line.chars().count() > longest {
        shown.push('…');
    }
    shown
}

/// `1 row`, `2 rows`: a count with its noun, for messages.
pub fn plural<N: fmt::Display + PartialEq + From<u8> + Copy>(count: N, word: &str) -> String {
    if count == N::from(1) { format!("1 {word}") } else { format!("{count} {word}s") }
}

/// The problems of one file, of which the first few are listed and the rest counted, so that
/// a file with a systematic fault does not flood the terminal.
#[derive(Debug)]
pub struct FileProblems {
    file: String,
    listed: Vec<Diagnostic>,
    unlisted: u64,
}

impl FileProblems {
    /// Problems listed per file before the rest are only counted.
    pub const LISTED: usize = 25;

    pub fn new(file: impl Into<String>) -> Self {
        FileProblems { file: file.into(), listed: Vec::new(), unlisted: 0 }
    }

    /// A problem at `line` and, when known, the 0-based `column`.
    pub fn add(&mut self, line: u64, column: Option<usize>, message: impl Into<String>) {
        let diagnostic = self.placed(line, column, message);
        self.push(diagnostic);
    }

    /// A problem listed even past [`Self::LISTED`], for one that explains the others, such as a
    /// quote left open that made the rest of the file one cell.
    pub fn add_always(&mut self, line: u64, column: Option<usize>, message: impl Into<String>) {
        let diagnostic = self.placed(line, column, message);
        self.listed.push(diagnostic);
    }

    fn placed(&self, line: u64, column: Option<usize>, message: impl Into<String>) -> Diagnostic {
        let mut diagnostic = Diagnostic::error(&self.file, message);
        diagnostic.line = Some(line);
        diagnostic.column = column.map(|c| c as u64 + 1);
        diagnostic
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.listed.len() < Self::LISTED {
            self.listed.push(diagnostic);
        } else {
            self.unlisted += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// The listed problems, and one line standing for the rest.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        if self.unlisted > 0 {
            let message = format!(
                "{} more problems in this file are not listed; fix the ones above first",
                self.unlisted
            );
            let mut summary = Diagnostic::error(&self.file, message);
            // This line stands for all of them in the run's count of problems.
            summary.unlisted = self.unlisted - 1;
            self.listed.push(summary);
        }
        self.listed
    }
}

/// Every problem of a run, in the order the files were read.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Error).count()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Splits off the warnings, leaving the errors, so that a successful load can report them.
    pub fn take_warnings(&mut self) -> Vec<Diagnostic> {
        let (warnings, errors) = std::mem::take(&mut self.items)
            .into_iter()
            .partition(|d| d.severity == Severity::Warning);
        self.items = errors;
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_sits_under_the_column() {
        let text = "name: x\nterm: {start: 2026-02-31}\n";
        let shown = Diagnostic::error("contracts/acme.yaml", "`2026-02-31` is not a date")
            .at(2, 15, Some(text))
            .to_string();
        let expected = "error: `2026-02-31` is not a date\n  --> contracts/acme.yaml:2:15\n   |\n \
                        2 | term: {start: 2026-02-31}\n   |               ^";
        assert_eq!(shown, expected);
    }

    #[test]
    fn control_characters_are_not_printed() {
        let shown = Diagnostic::error("a\u{1b}[2J.csv", "`\u{1b}[1;32mOK\r` is not a number")
            .at(1, 1, Some("\u{1b}[31mred"))
            .to_string();
        assert!(!shown.contains('\u{1b}') && !shown.contains('\r'), "{shown:?}");
    }
}
