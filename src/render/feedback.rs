//! Surveys and reviews on a vendor page: means per kind and period with their counts, the
//! withheld ones said to be withheld, comments without attribution, the latest review's notes,
//! the history of reviews, and the actions open.

use serde::Serialize;

use crate::evaluate::Scorecard;
use crate::evaluate::feedback::{ActionState, SurveyResult, withheld};
use crate::model::{Project, SurveyKind};
use crate::render::{charts, format, markdown};

#[derive(Debug, Serialize)]
pub struct FeedbackView {
    /// The kinds with answers in any period, as column headings.
    kinds: Vec<&'static str>,
    rows: Vec<FeedbackRow>,
    charts: Vec<SurveyChart>,
    /// The comments of the two latest periods that have some; the rest, folded away.
    comments: Vec<CommentGroup>,
    earlier_comments: Vec<CommentGroup>,
    floor: u32,
}

#[derive(Debug, Serialize)]
struct FeedbackRow {
    period: String,
    cells: Vec<FeedbackCell>,
}

#[derive(Debug, Serialize)]
struct FeedbackCell {
    text: String,
    note: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct SurveyChart {
    kind: &'static str,
    svg: String,
}

/// Comments shown per kind and period before the rest are folded away.
const COMMENTS_SHOWN: usize = 5;

#[derive(Debug, Serialize)]
struct CommentGroup {
    period: String,
    kind: &'static str,
    /// Newest first, at most [`COMMENTS_SHOWN`]; the others in `more`.
    comments: Vec<String>,
    more: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ReviewsView {
    latest: Option<ReviewView>,
    /// The notes of the reviews before the latest, newest first.
    earlier: Vec<ReviewView>,
    history: Vec<ReviewRow>,
    open_actions: Vec<ActionView>,
    done_actions: Vec<ActionView>,
    cadence: Option<String>,
}

#[derive(Debug, Serialize)]
struct ReviewView {
    date: String,
    attendees: String,
    notes: String,
}

#[derive(Debug, Serialize)]
struct ReviewRow {
    date: String,
    attendees: String,
    actions: usize,
    open: u64,
    overdue: u64,
}

#[derive(Debug, Serialize)]
pub struct ActionView {
    id: String,
    text: String,
    due: String,
    state: &'static str,
    /// The date of the review that first listed it.
    agreed: String,
    kpi: Option<String>,
}

pub fn kind_label(kind: SurveyKind) -> &'static str {
    match kind {
        SurveyKind::Customer => "Customers",
        SurveyKind::Staff => "Our staff",
        SurveyKind::Shadowing => "Shadowing",
        SurveyKind::VendorTeam => "Vendor team",
    }
}

/// `None` when the vendor has no survey answers at all. On the vendor's own site (`own_site`),
/// the comments of the vendor's own team are left out: they were given to us, often
/// anonymously, about working with us, and the site goes to that team's management.
pub fn feedback(project: &Project, card: &Scorecard, own_site: bool) -> Option<FeedbackView> {
    let floor = project.settings.survey_min_responses;
    let kinds: Vec<SurveyKind> = SurveyKind::ALL
        .into_iter()
        .filter(|k| card.periods.iter().any(|p| p.surveys.iter().any(|s| s.kind == *k)))
        .collect();
    if kinds.is_empty() {
        return None;
    }
    let contract = &project.contracts[card.vendor];

    let rows = card
        .periods
        .iter()
        .rev()
        .filter(|p| !p.surveys.is_empty())
        .map(|period| FeedbackRow {
            period: period.period.to_string(),
            cells: kinds
                .iter()
                .map(|kind| match period.surveys.iter().find(|s| s.kind == *kind) {
                    None => FeedbackCell { text: "—".to_owned(), note: None },
                    Some(result) => {
                        let count = format!(
                            "{} {}",
                            result.count,
                            if result.count == 1 { "answer" } else { "answers" }
                        );
                        match result.mean {
                            Some(mean) => {
                                FeedbackCell { text: format!("{mean:.2} ({count})"), note: None }
                            }
                            None => FeedbackCell { text: count, note: withheld(result, floor) },
                        }
                    }
                })
                .collect(),
        })
        .collect();

    let charts = kinds
        .iter()
        .map(|kind| {
            let points: Vec<(String, Option<f64>)> = card
                .periods
                .iter()
                .map(|p| {
                    (
                        p.period.to_string(),
                        p.surveys.iter().find(|s| s.kind == *kind).and_then(|s| s.mean),
                    )
                })
                .collect();
            let shown: Vec<String> = points
                .iter()
                .filter_map(|(p, m)| m.map(|m| format!("{p} {}", format::number(m))))
                .collect();
            let title = format!(
                "{} of {}, mean score per period (1 to 5): {}",
                kind_label(*kind),
                contract.name,
                if shown.is_empty() { "none published".to_owned() } else { shown.join(", ") }
            );
            SurveyChart {
                kind: kind_label(*kind),
                svg: charts::survey_chart(&format!("survey-{}", kind.name()), &title, &points),
            }
        })
        .collect();

    let mut comments: Vec<CommentGroup> = card
        .periods
        .iter()
        .rev()
        .flat_map(|period| {
            let shown = |s: &&SurveyResult| !(own_site && s.kind == SurveyKind::VendorTeam);
            period.surveys.iter().filter(|s| !s.comments.is_empty()).filter(shown).map(|s| {
                let shown = s.comments.len().min(COMMENTS_SHOWN);
                CommentGroup {
                    period: period.period.to_string(),
                    kind: kind_label(s.kind),
                    comments: s.comments[..shown].to_vec(),
                    more: s.comments[shown..].to_vec(),
                }
            })
        })
        .collect();
    let mut periods: Vec<&str> = comments.iter().map(|c| c.period.as_str()).collect();
    periods.dedup();
    let recent = periods.get(2).map_or(comments.len(), |third| {
        comments.iter().position(|c| c.period == *third).unwrap_or(comments.len())
    });
    let earlier_comments = comments.split_off(recent);

    Some(FeedbackView {
        kinds: kinds.into_iter().map(kind_label).collect(),
        rows,
        charts,
        comments,
        earlier_comments,
        floor,
    })
}

fn action_view(project: &Project, state: &ActionState) -> ActionView {
    let review = &project.reviews[state.review];
    let action = &review.actions[state.action];
    let contract = &project.contracts[review.vendor];
    ActionView {
        id: action.id.clone(),
        text: action.text.clone(),
        due: action.due.map_or_else(|| "—".to_owned(), format::date),
        state: match (state.open, state.overdue) {
            (false, _) => "done",
            (true, true) => "overdue",
            (true, false) => "open",
        },
        agreed: format::date(project.reviews[state.agreed].date),
        kpi: action.kpi.map(|k| contract.kpis[k].name.clone()),
    }
}

/// The actions aimed at one KPI, newest review first: the corrective-action plan beside it.
pub fn kpi_actions(project: &Project, card: &Scorecard, kpi: usize) -> Vec<ActionView> {
    card.actions
        .iter()
        .rev()
        .filter(|s| project.reviews[s.review].actions[s.action].kpi == Some(kpi))
        .map(|s| action_view(project, s))
        .collect()
}

pub fn reviews(project: &Project, card: &Scorecard) -> ReviewsView {
    let contract = &project.contracts[card.vendor];
    let mut notes = card.reviews.iter().rev().map(|summary| {
        let review = &project.reviews[summary.review];
        ReviewView {
            date: format::date(review.date),
            attendees: review.attendees.join(", "),
            notes: markdown::to_html(&review.notes),
        }
    });
    let latest = notes.next();
    let earlier = notes.collect();
    let history = card
        .reviews
        .iter()
        .rev()
        .map(|summary| {
            let review = &project.reviews[summary.review];
            ReviewRow {
                date: format::date(review.date),
                attendees: review.attendees.join(", "),
                actions: review.actions.len(),
                open: summary.actions_open,
                overdue: summary.actions_overdue,
            }
        })
        .collect();
    let open_actions =
        card.actions.iter().filter(|s| s.open).map(|s| action_view(project, s)).collect();
    let done_actions =
        card.actions.iter().rev().filter(|s| !s.open).map(|s| action_view(project, s)).collect();
    ReviewsView {
        latest,
        earlier,
        history,
        open_actions,
        done_actions,
        cadence: contract.review_cadence_days.map(|days| {
            format!("Reviews are due every {}.", crate::diagnostics::plural(days, "day"))
        }),
    }
}
