//! Evidence beyond KPIs: survey means per kind and period behind an anonymity floor, and the
//! state of the actions agreed at reviews.

use chrono::NaiveDate;

use crate::evaluate::periods::Period;
use crate::evaluate::rounding::round_half_away;
use crate::model::{Project, Review, SurveyKey, SurveyKind};

/// One kind of survey in one period.
#[derive(Clone, Debug, PartialEq)]
pub struct SurveyResult {
    pub kind: SurveyKind,
    pub count: u64,
    /// Rounded to two decimals; `None` below the anonymity floor or before the period has
    /// closed, so that no single answer can be traced, now or by difference later.
    pub mean: Option<f64>,
    /// Newest first; empty whenever `mean` is withheld.
    pub comments: Vec<String>,
}

/// Why a survey's mean is withheld, for the page to say.
pub fn withheld(result: &SurveyResult, floor: u32) -> Option<&'static str> {
    match result.mean {
        Some(_) => None,
        None if result.count < u64::from(floor) => {
            Some("too few answers to show without identifying anyone")
        }
        None => Some("shown once the period has closed"),
    }
}

/// The surveys of one vendor in one period, kinds in a fixed order.
pub fn surveys(project: &Project, vendor: usize, period: Period) -> Vec<SurveyResult> {
    let floor = u64::from(project.settings.survey_min_responses);
    let closed = period.last_day() <= project.as_of;
    SurveyKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let cell = project.surveys.get(&SurveyKey { vendor, kind, period })?;
            #[allow(clippy::cast_precision_loss, reason = "counts of survey answers stay small")]
            let mean = (closed && cell.count >= floor)
                .then(|| round_half_away(cell.sum / cell.count as f64, 2));
            let mut comments: Vec<&(NaiveDate, (u32, u64), String)> =
                if mean.is_some() { cell.comments.iter().collect() } else { Vec::new() };
            comments.sort_by_key(|c| std::cmp::Reverse((c.0, c.1)));
            let comments = comments.into_iter().map(|c| c.2.clone()).collect();
            Some(SurveyResult { kind, count: cell.count, mean, comments })
        })
        .collect()
}

/// An action as the latest review that lists it leaves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionState {
    /// Index into the project's reviews, and into that review's actions.
    pub review: usize,
    pub action: usize,
    /// The review that first listed the action: when it was agreed.
    pub agreed: usize,
    pub open: bool,
    /// Open and due before today.
    pub overdue: bool,
}

/// One review of a scorecard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewSummary {
    /// Index into the project's reviews.
    pub review: usize,
    /// Actions this review lists that are still open, as the latest review listing each says.
    pub actions_open: u64,
    pub actions_overdue: u64,
}

/// Every action of a vendor in its latest state, oldest review first, and each review's counts.
pub fn actions(
    project: &Project,
    vendor: usize,
    today: NaiveDate,
) -> (Vec<ActionState>, Vec<ReviewSummary>) {
    let reviews: Vec<(usize, &Review)> =
        project.reviews.iter().enumerate().filter(|(_, r)| r.vendor == vendor).collect();

    // Reviews are in date order, so the last listing of an id is the one that counts.
    let mut latest: Vec<(String, ActionState)> = Vec::new();
    for (index, review) in &reviews {
        for (position, action) in review.actions.iter().enumerate() {
            let mut state = ActionState {
                review: *index,
                action: position,
                agreed: *index,
                open: !action.done,
                overdue: !action.done && action.due.is_some_and(|due| due < today),
            };
            match latest.iter_mut().find(|(id, _)| *id == action.id) {
                Some(slot) => {
                    state.agreed = slot.1.agreed;
                    slot.1 = state;
                }
                None => latest.push((action.id.clone(), state)),
            }
        }
    }

    let summaries = reviews
        .iter()
        .map(|(index, review)| {
            let states: Vec<&ActionState> = review
                .actions
                .iter()
                .filter_map(|action| latest.iter().find(|(id, _)| *id == action.id).map(|(_, s)| s))
                .collect();
            ReviewSummary {
                review: *index,
                actions_open: states.iter().filter(|s| s.open).count() as u64,
                actions_overdue: states.iter().filter(|s| s.overdue).count() as u64,
            }
        })
        .collect();
    (latest.into_iter().map(|(_, state)| state).collect(), summaries)
}

/// The last review of a vendor on or before `today`.
pub fn last_review(project: &Project, vendor: usize, today: NaiveDate) -> Option<NaiveDate> {
    project.reviews.iter().filter(|r| r.vendor == vendor && r.date <= today).map(|r| r.date).max()
}
