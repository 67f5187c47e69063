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
        return Err(vec![Diagnostic::error(shown, "has no front matter: start the file with a `---` line, the review's date and actions, and another `---`").at(1, 1, Some(text))]);
    };
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

    let mut actions = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for raw_action in raw.actions {
        let id = raw_action.id.value.trim().to_owned();
        if id.is_empty() || !seen.insert(id.clone()) {
            let message = if id.is_empty() {
                "an action needs an `id`".to_owned()
            } else {
                format!("action `{id}` is listed twice in this review")
            };
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
}
