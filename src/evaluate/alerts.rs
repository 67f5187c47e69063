//! The alerts of a scorecard: KPIs in breach or missing in the headline period, exports that lag,
//! deliverables, evidence, the notice deadline and the end of the contract.

use chrono::NaiveDate;

use crate::evaluate::obligations::{DeliverableStatus, EvidenceStatus};
use crate::evaluate::periods::{Period, add_days};
use crate::evaluate::status::Status;
use crate::evaluate::{Scorecard, due_history};
use crate::model::{Contract, Project};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertKind {
    BreachStreak,
    KpiBreach,
    KpiMissing,
    DataStale,
    DeliverableOverdue,
    DeliverableLate,
    EvidenceExpired,
    EvidenceExpiring,
    NoticePassed,
    NoticeDeadline,
    ContractEnding,
    ReviewOverdue,
    ActionOverdue,
}

impl AlertKind {
    pub const ALL: [AlertKind; 13] = [
        AlertKind::BreachStreak,
        AlertKind::KpiBreach,
        AlertKind::KpiMissing,
        AlertKind::DataStale,
        AlertKind::DeliverableOverdue,
        AlertKind::DeliverableLate,
        AlertKind::EvidenceExpired,
        AlertKind::EvidenceExpiring,
        AlertKind::NoticePassed,
        AlertKind::NoticeDeadline,
        AlertKind::ContractEnding,
        AlertKind::ReviewOverdue,
        AlertKind::ActionOverdue,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AlertKind::BreachStreak => "breach_streak",
            AlertKind::KpiBreach => "kpi_breach",
            AlertKind::KpiMissing => "kpi_missing",
            AlertKind::DataStale => "data_stale",
            AlertKind::DeliverableOverdue => "deliverable_overdue",
            AlertKind::DeliverableLate => "deliverable_late",
            AlertKind::EvidenceExpired => "evidence_expired",
            AlertKind::EvidenceExpiring => "evidence_expiring",
            AlertKind::NoticePassed => "notice_passed",
            AlertKind::NoticeDeadline => "notice_deadline",
            AlertKind::ContractEnding => "contract_ending",
            AlertKind::ReviewOverdue => "review_overdue",
            AlertKind::ActionOverdue => "action_overdue",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            AlertKind::BreachStreak
            | AlertKind::KpiBreach
            | AlertKind::DeliverableOverdue
            | AlertKind::EvidenceExpired
            | AlertKind::NoticePassed => Severity::High,
            AlertKind::KpiMissing
            | AlertKind::DataStale
            | AlertKind::DeliverableLate
            | AlertKind::EvidenceExpiring
            | AlertKind::NoticeDeadline
            | AlertKind::ContractEnding
            | AlertKind::ReviewOverdue => Severity::Medium,
            AlertKind::ActionOverdue => Severity::Low,
        }
    }
}

/// What an alert is about; the page and JSON writers turn it into a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// A KPI (index into the contract's KPIs) in a period.
    Kpi { kpi: usize, period: Period },
    /// The exports, which close at `as_of`.
    Data { as_of: NaiveDate },
    /// A deliverable (index into the contract's deliverables).
    Deliverable { index: usize },
    /// A data-protection item (index into the contract's list), expiring on `expires`.
    Evidence { index: usize, expires: NaiveDate },
    /// The last day to give notice.
    Notice { deadline: NaiveDate, end: NaiveDate },
    /// The end of the term.
    TermEnd { end: NaiveDate },
    /// No review since `since` (the last review, or the term's start with none).
    Review { since: NaiveDate, reviewed: bool, cadence: u32 },
    /// An action (indices into the project's reviews and that review's actions).
    Action { review: usize, action: usize, agreed: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    pub kind: AlertKind,
    pub severity: Severity,
    pub subject: Subject,
}

impl Alert {
    fn new(kind: AlertKind, subject: Subject) -> Alert {
        Alert { kind, severity: kind.severity(), subject }
    }
}

/// Every alert of a scorecard, by severity, then kind, then subject.
pub fn alerts(
    project: &Project,
    contract: &Contract,
    card: &Scorecard,
    today: NaiveDate,
) -> Vec<Alert> {
    let horizon = add_days(today, i64::from(project.settings.expiring_days));
    let mut found = Vec::new();

    let kind = project.settings.period;
    kpi_alerts(card, Period::containing(kind, project.as_of), &mut found);
    // A term that ended by `as_of` has sent all its figures, and one that has ended by today
    // keeps no evidence current: neither is behind.
    let ended_by = |day: NaiveDate| contract.term.end.is_some_and(|end| end <= day);
    let behind =
        Period::containing(kind, project.as_of) < Period::containing(kind, today).previous();
    if behind && !ended_by(project.as_of) {
        found.push(Alert::new(AlertKind::DataStale, Subject::Data { as_of: project.as_of }));
    }
    deliverable_alerts(contract, card, &mut found);
    let evidence = contract.data_protection.iter().zip(&card.evidence).enumerate();
    for (index, (item, status)) in evidence.filter(|_| !ended_by(today)) {
        let subject = Subject::Evidence { index, expires: item.expires() };
        match status {
            EvidenceStatus::Expired => found.push(Alert::new(AlertKind::EvidenceExpired, subject)),
            EvidenceStatus::Expiring => {
                found.push(Alert::new(AlertKind::EvidenceExpiring, subject));
            }
            EvidenceStatus::Valid => {}
        }
    }
    term_alerts(contract, today, horizon, &mut found);
    review_alerts(project, contract, card, today, &mut found);

    found.sort_by(|a, b| {
        (a.severity, a.kind.name(), a.subject).cmp(&(b.severity, b.kind.name(), b.subject))
    });
    found
}

/// At most one alert per KPI, in the period holding `as_of`: the most severe that applies. A
/// term that ended before it raises none; its last period is long closed.
fn kpi_alerts(card: &Scorecard, as_of_period: Period, found: &mut Vec<Alert>) {
    let Some(latest) = card.headline.filter(|&h| card.periods[h].period == as_of_period) else {
        return;
    };
    let period = card.periods[latest].period;
    for (kpi, result) in card.periods[latest].kpis.iter().enumerate() {
        let subject = Subject::Kpi { kpi, period };
        match result.status {
            Status::Breach => {
                let streak = due_history(card, kpi, latest)
                    .take(3)
                    .filter(|r| r.status == Status::Breach)
                    .count();
                let kind = if streak == 3 { AlertKind::BreachStreak } else { AlertKind::KpiBreach };
                found.push(Alert::new(kind, subject));
            }
            Status::Missing => found.push(Alert::new(AlertKind::KpiMissing, subject)),
            _ => {}
        }
    }
}

fn deliverable_alerts(contract: &Contract, card: &Scorecard, found: &mut Vec<Alert>) {
    let since = card.headline().map(|p| p.period.first_day());
    for (index, (item, result)) in contract.deliverables.iter().zip(&card.deliverables).enumerate()
    {
        let subject = Subject::Deliverable { index };
        match result.status {
            DeliverableStatus::Overdue => {
                found.push(Alert::new(AlertKind::DeliverableOverdue, subject));
            }
            DeliverableStatus::Late
                if item.delivered.zip(since).is_some_and(|(on, since)| on >= since) =>
            {
                found.push(Alert::new(AlertKind::DeliverableLate, subject));
            }
            _ => {}
        }
    }
}

/// A review is overdue more than `cadence_days` after the last one (or after the term's start,
/// with none yet), while the term runs; an action is overdue once its due date has passed.
fn review_alerts(
    project: &Project,
    contract: &Contract,
    card: &Scorecard,
    today: NaiveDate,
    found: &mut Vec<Alert>,
) {
    let running = contract.term.start <= today && contract.term.end.is_none_or(|end| end >= today);
    if let Some(cadence) = contract.review_cadence_days.filter(|_| running) {
        let last = crate::evaluate::feedback::last_review(project, card.vendor, today);
        // A review held before the term began (a kick-off) does not start the clock early.
        let last = last.filter(|date| *date >= contract.term.start);
        let since = last.unwrap_or(contract.term.start);
        if (today - since).num_days() > i64::from(cadence) {
            found.push(Alert::new(
                AlertKind::ReviewOverdue,
                Subject::Review { since, reviewed: last.is_some(), cadence },
            ));
        }
    }
    for state in card.actions.iter().filter(|s| s.overdue) {
        found.push(Alert::new(
            AlertKind::ActionOverdue,
            Subject::Action { review: state.review, action: state.action, agreed: state.agreed },
        ));
    }
}

fn term_alerts(contract: &Contract, today: NaiveDate, horizon: NaiveDate, found: &mut Vec<Alert>) {
    let Some(end) = contract.term.end else { return };
    if end < today {
        return;
    }
    if let Some(deadline) = contract.term.notice_deadline() {
        let subject = Subject::Notice { deadline, end };
        if deadline < today {
            found.push(Alert::new(AlertKind::NoticePassed, subject));
        } else if deadline <= horizon {
            found.push(Alert::new(AlertKind::NoticeDeadline, subject));
        }
    }
    if end <= horizon {
        found.push(Alert::new(AlertKind::ContractEnding, Subject::TermEnd { end }));
    }
}
