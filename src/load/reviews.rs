//! `reviews/<vendor>/<YYYY-MM-DD>.md`: one file per review meeting, YAML front matter (date,
//! attendees, actions) and free notes in markdown. The notes are kept as written; turning them
//! into safe HTML is the renderer's work.

use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::load::dates;
use crate::load::discover::InputFile;
use crate::load::values::clean_text;
use crate::load::yaml::{self, Spanned};
use crate::model::{Action, Contract, Review};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReview {
    date: Spanned<String>,
    #[serde(default)]
    attendees: Vec<String>,
    #[serde(default)]
    actions: Vec<RawAction>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    id: Spanned<String>,
    text: Spanned<String>,
    due: Option<Spanned<String>>,
    #[serde(default)]
    done: bool,
    kpi: Option<Spanned<String>>,
}

/// Reads one review file of the vendor at `vendor` (index into the contracts).
pub fn parse(
    file: &InputFile,
    text: &str,
    vendor: usize,
    contract: &Contract,
) -> Result<Review, Vec<Diagnostic>> {
    let shown = file.shown.as_str();
    let Some((front, notes)) = split_front_matter(text) else {
        let message = if text.starts_with("---") {
            "the front matter never ends: close the review's date and actions with a `---` line"
        } else {
            "has no front matter: start the file with a `---` line, the review's date and actions, and another `---`"
        };
        return Err(vec![Diagnostic::error(shown, message).at(1, 1, Some(text))]);
    };
    if front.trim().is_empty() {
        let message =
            "the front matter is empty: it needs at least the review's `date: YYYY-MM-DD`";
        return Err(vec![Diagnostic::error(shown, message).at(1, 1, Some(text))]);
    }
    // The front matter starts on the file's second line; a blank first line keeps the YAML's
    // line numbers those of the file.
    let raw: RawReview = yaml::parse(shown, &format!("\n{front}")).map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    let mut fail = |at_line: u64, at_column: u64, message: String| {
        problems.push(Diagnostic::error(shown, message).at(at_line, at_column, Some(text)));
    };

    let date = match dates::parse_date(&raw.date.value) {
        Ok(date) => Some(date),
        Err(message) => {
            fail(raw.date.line, raw.date.column, message);
            None
        }
    };
    let stem = file.stem();
    if let Some(date) = date
        && stem != date.to_string()
    {
        fail(
            raw.date.line,
            raw.date.column,
            format!(
                "the file is named `{stem}` but the review is dated {date}: name the file after its date, {date}.md"
            ),
        );
    }

    if let Some((line, column)) = too_deep(notes) {
        let front_lines = text[..text.len() - notes.len()].matches('\n').count() as u64;
        fail(
            front_lines + line,
            column,
            format!("the notes nest quotes or lists more than {DEEPEST} levels deep: flatten them"),
        );
    }

    let mut actions = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for raw_action in raw.actions {
        let id = raw_action.id.value.trim().to_owned();
        if !is_action_id(&id) {
            let message =
                "an action's `id` is letters, digits, `-`, `_` or `.` (at most 63), such as `a1`";
            fail(raw_action.id.line, raw_action.id.column, message.to_owned());
        } else if !seen.insert(id.clone()) {
            let message = format!("action `{id}` is listed twice in this review");
            fail(raw_action.id.line, raw_action.id.column, message);
        }
        let due = raw_action.due.as_ref().and_then(|due| match dates::parse_date(&due.value) {
            Ok(date) => Some(date),
            Err(message) => {
                fail(due.line, due.column, message);
                None
            }
        });
        let kpi = raw_action.kpi.as_ref().and_then(|kpi| {
            let found = contract.kpi_index(kpi.value.trim());
            if found.is_none() {
                let ids: Vec<&str> = contract.kpis.iter().map(|k| k.id.as_str()).collect();
                fail(
                    kpi.line,
                    kpi.column,
                    format!(
                        "contract `{}` declares no KPI `{}`: expected one of {}",
                        contract.id,
                        kpi.value,
                        ids.join(", ")
                    ),
                );
            }
            found
        });
        let action_text = clean_text(&raw_action.text.value);
        if action_text.is_empty() {
            fail(
                raw_action.text.line,
                raw_action.text.column,
                "the action's `text` is empty".to_owned(),
            );
        }
        actions.push(Action { id, text: action_text, due, done: raw_action.done, kpi });
    }

    match (problems.is_empty(), date) {
        (true, Some(date)) => Ok(Review {
            vendor,
            file: shown.to_owned(),
            date,
            attendees: raw
                .attendees
                .iter()
                .map(|a| clean_text(a))
                .filter(|a| !a.is_empty())
                .collect(),
            actions,
            notes: notes.to_owned(),
        }),
        _ => Err(problems),
    }
}

/// An action's id, which a later review repeats to update it: ASCII letters, digits and `-`,
/// `_`, `.`, so that ids that look alike are alike.
fn is_action_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 63
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// How deep quotes and lists may nest in the notes. Far beyond what minutes need, and low
/// enough that a hostile file cannot stall the renderer.
const DEEPEST: usize = 16;

/// The line and column (1-based) where a line of the notes first nests deeper than
/// [`DEEPEST`], counting the quote and list markers that open it (`> - 1. `).
fn too_deep(notes: &str) -> Option<(u64, u64)> {
    for (index, line) in notes.lines().enumerate() {
        let bytes = line.as_bytes();
        let (mut at, mut depth) = (0, 0);
        loop {
            while at < bytes.len() && (bytes[at] == b' ' || bytes[at] == b'\t') {
                at += 1;
            }
            let digits = bytes[at..].iter().take_while(|b| b.is_ascii_digit()).count();
            let marker = match bytes.get(at) {
                Some(b'>') => 1,
                Some(b'-' | b'*' | b'+') if matches!(bytes.get(at + 1), Some(b' ' | b'\t')) => 1,
                Some(b'0'..=b'9')
                    if digits <= 9
                        && matches!(bytes.get(at + digits), Some(b'.' | b')'))
                        && matches!(bytes.get(at + digits + 1), Some(b' ' | b'\t')) =>
                {
                    digits + 1
                }
                _ => break,
            };
            depth += 1;
            if depth > DEEPEST {
                let column = line[..at].chars().count() + 1;
                return Some((index as u64 + 1, column as u64));
            }
            at += marker;
        }
    }
    None
}

/// The YAML between a first `---` line and the next, and the text after it.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("---\r\n").or_else(|| text.strip_prefix("---\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split_from_the_notes() {
        let (front, notes) =
            split_front_matter("---\ndate: 2026-03-10\n---\nNotes here.\n").unwrap();
        assert_eq!((front, notes), ("date: 2026-03-10\n", "Notes here.\n"));
        let (front, notes) = split_front_matter("---\r\ndate: x\r\n---\r\nBody").unwrap();
        assert_eq!((front, notes), ("date: x\r\n", "Body"));
        assert!(split_front_matter("date: 2026-03-10\n").is_none());
        assert!(split_front_matter("---\ndate: x\n").is_none(), "no closing line");
    }

    #[test]
    fn deep_nesting_is_found_where_it_passes_the_limit() {
        assert_eq!(too_deep("> > quoted\n- - listed\n1. 2) numbered\n"), None);
        let deep = format!("fine\n{}x\n", "> ".repeat(17));
        assert_eq!(too_deep(&deep), Some((2, 33)));
        let lists = format!("{}x", "- ".repeat(16));
        assert_eq!(too_deep(&lists), None);
        assert_eq!(too_deep(&format!("{}x", ">".repeat(50_000))), Some((1, 17)));
    }
}
