//! The markdown summary a CI job shows on its run page: each vendor's grade, score and credits
//! for the period holding `as_of`, and the alerts. Vendor text is escaped so that it reads as
//! written and cannot add links, images or HTML to the summary.

use crate::diagnostics::Diagnostic;
use crate::evaluate::{Evaluation, Scorecard};
use crate::gates::Tripped;
use crate::model::Project;
use crate::render::format;
use crate::render::messages::alert_message;
use crate::render::pages::{credits_amount, grade_name};

pub fn step_summary(project: &Project, evaluation: &Evaluation, tripped: &[Tripped]) -> String {
    let mut text = format!(
        // A blank line first: the file may end where an earlier step's text did.
        "\n## {} as of {} ({})\n\n",
        escape(&project.settings.title),
        evaluation.as_of,
        evaluation.period
    );
    if evaluation.scorecards.is_empty() {
        text.push_str("No vendor has a contract term covering this date.\n");
        return text;
    }

    // Worst first, as on the portfolio; vendors not yet scored last.
    let mut cards: Vec<&Scorecard> = evaluation.scorecards.iter().collect();
    cards.sort_by(|a, b| {
        let score = |card: &Scorecard| card.current(evaluation.period).and_then(|p| p.score);
        match (score(a), score(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (x, y) => y.is_some().cmp(&x.is_some()),
        }
        .then_with(|| a.vendor.cmp(&b.vendor))
    });

    text.push_str("| Vendor | Grade | Score | Credits owed | Alerts |\n|---|---|---:|---:|---:|\n");
    for card in cards {
        let contract = &project.contracts[card.vendor];
        // The period holding `as_of`; a term that ended before it has no figures there.
        let headline = card.current(evaluation.period);
        let ended = match contract.term.end {
            Some(end) if headline.is_none() && !card.periods.is_empty() => {
                format!(", term ended {}", format::date(end))
            }
            _ => String::new(),
        };
        text.push_str(&format!(
            "| {} (`{}`{ended}) | {} | {} | {} | {} |\n",
            escape(&contract.name),
            contract.id,
            escape(&grade_name(project, headline.and_then(|p| p.grade))),
            format::score(headline.and_then(|p| p.score)),
            owed_and_pending(contract, headline),
            card.alerts.len()
        ));
    }

    let alerts: Vec<String> = evaluation
        .scorecards
        .iter()
        .flat_map(|card| {
            let name = escape(&project.contracts[card.vendor].name);
            card.alerts.iter().map(move |alert| {
                let message = alert_message(alert, project, card, evaluation.today);
                format!("- **{}** {name}: {}\n", alert.severity.name(), escape(&message))
            })
        })
        .collect();
    if !alerts.is_empty() {
        text.push_str("\n### Alerts\n\n");
        text.extend(alerts);
    }
    if !tripped.is_empty() {
        text.push_str("\n### Gates that failed\n\n");
        for gate in tripped {
            text.push_str(&format!("- {}\n", escape(&gate.to_string())));
        }
    }
    text
}

/// Credits owed, and those pending earn-back beside them: both are money the vendor may owe.
/// Of what became owed in it, the credits of earlier periods.
fn owed_and_pending(
    contract: &crate::model::Contract,
    period: Option<&crate::evaluate::PeriodResult>,
) -> String {
    let mut text = credits_amount(contract, period);
    if let (Some(fee), Some(p)) = (contract.fee.as_ref(), period) {
        let earlier = p.owed_from_earlier;
        if !earlier.is_zero() {
            text.push_str(&format!(" ({} of it for earlier periods)", format::money(earlier, fee)));
        }
        if !p.credits.totals.pending.is_zero() {
            text.push_str(&format!(" ({} pending)", format::money(p.credits.totals.pending, fee)));
        }
    }
    text
}

/// Why a run (`build` or `check`) failed, for the run page: the reason and each problem at its
/// place.
pub fn failed(run: &str, reason: &str, problems: &[Diagnostic]) -> String {
    let mut text = format!("\n## vendorcard: the {run} failed\n\n{}\n", escape(reason));
    if !problems.is_empty() {
        text.push('\n');
    }
    for problem in problems {
        text.push_str(&format!("- {} {}\n", code(&problem.place()), escape(&problem.message)));
    }
    text
}

/// A code span of text shown as itself: nothing in a code span is markdown or HTML but a line
/// break, which could end it and the list item (a file may be named with one), and a backtick.
fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    format!("`{text}`")
}

/// Text shown as itself in GitHub-flavoured markdown, inside a table cell or a list item.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{code, escape, failed};
    use crate::diagnostics::Diagnostic;

    #[test]
    fn vendor_text_cannot_add_markup() {
        assert_eq!(escape("A|B"), "A\\|B");
        assert_eq!(escape("[x](http://e)"), "\\[x\\]\\(http\\:\\/\\/e\\)");
        assert_eq!(escape("<img src=x>"), "&lt;img src\\=x&gt;");
        assert_eq!(escape("two\nlines"), "two lines");
        assert_eq!(escape("Ünïcode"), "Ünïcode");
    }

    #[test]
    fn a_file_name_in_a_failed_build_s_summary_stays_in_its_line() {
        let name =
            "reviews/acme/2026-01-20\n> [Approve](https:evil.example) <img src=x>\n# Passed.md";
        assert_eq!(
            code(name),
            "`reviews/acme/2026-01-20 > [Approve](https:evil.example) <img src=x> # Passed.md`"
        );
        let text =
            failed("build", "1 problem in the inputs", &[Diagnostic::error(name, "is `bad`")]);
        assert_eq!(text.lines().filter(|line| line.starts_with("- ")).count(), 1, "{text}");
        assert!(
            !text.lines().any(|line| line.starts_with('#') && line.contains("Passed")),
            "{text}"
        );
    }
}
