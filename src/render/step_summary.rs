//! The markdown summary a CI job shows on its run page: each vendor's grade, score and credits
//! for the period holding `as_of`, and the alerts. Vendor text is escaped so that it reads as
//! written and cannot add links, images or HTML to the summary.

use crate::evaluate::{Evaluation, Scorecard};
use crate::model::Project;
use crate::render::format;
use crate::render::messages::alert_message;
use crate::render::pages::{credits_amount, grade_name};

pub fn step_summary(project: &Project, evaluation: &Evaluation) -> String {
    let mut text = format!(
        "## {} as of {} ({})\n\n",
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
        let score = |card: &Scorecard| card.headline().and_then(|p| p.score);
        match (score(a), score(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (x, y) => y.is_some().cmp(&x.is_some()),
        }
        .then_with(|| a.vendor.cmp(&b.vendor))
    });

    text.push_str("| Vendor | Grade | Score | Credits owed | Alerts |\n|---|---|---:|---:|---:|\n");
    for card in cards {
        let contract = &project.contracts[card.vendor];
        let headline = card.headline();
        text.push_str(&format!(
            "| {} (`{}`) | {} | {} | {} | {} |\n",
            escape(&contract.name),
            contract.id,
            escape(&grade_name(project, headline.and_then(|p| p.grade))),
            format::score(headline.and_then(|p| p.score)),
            credits_amount(contract, headline),
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
    text
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
    use super::escape;

    #[test]
    fn vendor_text_cannot_add_markup() {
        assert_eq!(escape("A|B"), "A\\|B");
        assert_eq!(escape("[x](http://e)"), "\\[x\\]\\(http\\:\\/\\/e\\)");
        assert_eq!(escape("<img src=x>"), "&lt;img src\\=x&gt;");
        assert_eq!(escape("two\nlines"), "two lines");
        assert_eq!(escape("Ünïcode"), "Ünïcode");
    }
}
