//! What a vendor's own site shows of the buyer's own writing (comments, review notes, the
//! contract's texts), checked for other vendors' names before the site goes to the vendor. No
//! file of that site may name another vendor, and only a person can tell a passing mention
//! from a leak, so the build warns rather than cuts.

use crate::config::SETTINGS_FILE;
use crate::diagnostics::Diagnostic;
use crate::evaluate::Scorecard;
use crate::load::values::takes_no_room;
use crate::model::{Project, SurveyKind};
use crate::render::markdown;

/// A warning for each text from the inputs, shown on the vendor's own site, that names another
/// vendor by its name or id (of four characters or more), whatever the case, spacing or
/// markdown around it. A mention inside the vendor's own name (`Acme` in `Acme EU`) is not one.
pub fn named_on_own_site(project: &Project, card: &Scorecard) -> Vec<Diagnostic> {
    let own = &project.contracts[card.vendor];
    let own_words = [words(&own.name), words(&own.id)];
    let mut warnings = Vec::new();
    for (file, text) in texts_shown(project, card) {
        let text = words(&text);
        let own_spans: Vec<(usize, usize)> =
            own_words.iter().flat_map(|own| spans(&text, own)).collect();
        for other in project.contracts.iter().filter(|other| other.id != own.id) {
            let named = [&other.name, &other.id].into_iter().find(|name| {
                let name = words(name);
                name.chars().filter(|c| *c != ' ').count() >= 4
                    && spans(&text, &name).any(|(from, to)| {
                        !own_spans
                            .iter()
                            .any(|&(own_from, own_to)| own_from <= from && to <= own_to)
                    })
            });
            if let Some(named) = named {
                warnings.push(Diagnostic::warning(
                    file,
                    format!(
                        "names `{named}`, another vendor, and is shown on the site that goes to `{}`: read it before you send the site",
                        own.id
                    ),
                ));
            }
        }
    }
    warnings
}

/// The buyer's texts the vendor's own site shows (on its page or in its data files), each
/// with the file it comes from.
fn texts_shown<'a>(project: &'a Project, card: &'a Scorecard) -> Vec<(&'a str, String)> {
    let settings = &project.settings;
    let mut texts: Vec<(&str, String)> = vec![(SETTINGS_FILE, settings.title.clone())];
    texts.extend(settings.organisation.iter().map(|o| (SETTINGS_FILE, o.clone())));
    texts.extend(
        settings.grades.iter().flat_map(|g| &g.consequence).map(|c| (SETTINGS_FILE, c.clone())),
    );

    let contract = &project.contracts[card.vendor];
    let file = contract.file.as_str();
    texts.extend(contract.service.iter().map(|s| (file, s.clone())));
    texts.extend(contract.kpis.iter().map(|k| (file, format!("{}\n{}", k.id, k.name))));
    texts.extend(contract.deliverables.iter().map(|d| (file, format!("{}\n{}", d.id, d.name))));
    for item in &contract.data_protection {
        texts.push((file, format!("{}\n{}\n{}", item.id, item.clause, item.evidence)));
    }
    texts.extend(contract.exclusions.iter().map(|e| (file, e.reason.clone())));
    texts.extend(contract.disputes.iter().map(|d| (file, d.text.clone())));
    for review in project.reviews.iter().filter(|r| r.vendor == card.vendor) {
        // The notes as the page shows them, entities decoded and marks gone.
        let mut all = vec![markdown::to_text(&review.notes)];
        all.extend(review.attendees.iter().cloned());
        all.extend(review.actions.iter().map(|a| format!("{}\n{}", a.id, a.text)));
        texts.push((review.file.as_str(), all.join("\n")));
    }
    // The comments the site shows: above the anonymity floor, and not the vendor team's own.
    for period in &card.periods {
        for survey in period.surveys.iter().filter(|s| s.kind != SurveyKind::VendorTeam) {
            texts.extend(survey.comments.iter().map(|c| ("surveys/", c.clone())));
        }
    }
    texts
}

/// Text as words: lowercase letters and digits, everything else (spaces, punctuation, markdown
/// marks, apostrophes) a single space, with a space at each end so that a search finds whole
/// words only. Characters that take no room (a zero-width space, a soft hyphen) are dropped,
/// as a reader does not see them: `Glo\u{ad}bex` is `globex`.
fn words(text: &str) -> String {
    let mut out = String::from(" ");
    for c in text.chars().filter(|c| !takes_no_room(*c)).flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// Where `needle` (words, spaces at both ends) stands in `text` (words), as byte ranges.
fn spans<'t>(text: &'t str, needle: &'t str) -> impl Iterator<Item = (usize, usize)> + 't {
    text.match_indices(needle).map(|(at, found)| (at, at + found.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_as_whole_words_whatever_their_marks() {
        assert_eq!(words("O'Brien **Logistics**"), " o brien logistics ");
        let text = words("We compared notes with O’Brien Logistics, and the *Zeta*\nGroup.");
        assert_eq!(spans(&text, &words("O'Brien Logistics")).count(), 1);
        assert_eq!(spans(&text, &words("Zeta Group")).count(), 1);
        // A word inside another is no mention: `meta` in `metadata`.
        assert_eq!(spans(&words("metadata of targets"), &words("meta")).count(), 0);
        // What a reader cannot see does not split a name.
        assert_eq!(words("Glo\u{ad}bex and Glo\u{200b}bex"), " globex and globex ");
    }

    #[test]
    fn review_notes_are_read_as_their_page_shows_them() {
        let notes = "&#71;lobex, Glo**bex**, `Gring`otts and Naka~~tomi~~.\n\n<b>Hooli</b>";
        let text = words(&markdown::to_text(notes));
        for name in ["Globex", "Gringotts", "Nakatomi", "Hooli"] {
            assert!(spans(&text, &words(name)).count() >= 1, "{name} in {text}");
        }
    }
}
