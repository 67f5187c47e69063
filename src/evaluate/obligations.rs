//! Deliverables and data-protection evidence, judged against `today`.

use chrono::NaiveDate;

use crate::evaluate::periods::add_days;
use crate::model::{Deliverable, Evidence};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliverableStatus {
    OnTime,
    Late,
    Overdue,
    Pending,
}

impl DeliverableStatus {
    pub fn name(self) -> &'static str {
        match self {
            DeliverableStatus::OnTime => "on_time",
            DeliverableStatus::Late => "late",
            DeliverableStatus::Overdue => "overdue",
            DeliverableStatus::Pending => "pending",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliverableResult {
    pub status: DeliverableStatus,
    /// Days past due: delivered − due when late, today − due when overdue.
    pub days_late: Option<i64>,
}

/// A deliverable delivered but not accepted counts as not delivered; so does one delivered
/// after `today`, which for a site built for that day has not been delivered yet.
pub fn deliverable(item: &Deliverable, today: NaiveDate) -> DeliverableResult {
    let delivered = item.delivered.filter(|on| item.accepted != Some(false) && *on <= today);
    match delivered {
        Some(on) if on <= item.due => {
            DeliverableResult { status: DeliverableStatus::OnTime, days_late: None }
        }
        Some(on) => DeliverableResult {
            status: DeliverableStatus::Late,
            days_late: Some((on - item.due).num_days()),
        },
        None if item.due < today => DeliverableResult {
            status: DeliverableStatus::Overdue,
            days_late: Some((today - item.due).num_days()),
        },
        None => DeliverableResult { status: DeliverableStatus::Pending, days_late: None },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceStatus {
    Valid,
    Expiring,
    Expired,
}

impl EvidenceStatus {
    pub fn name(self) -> &'static str {
        match self {
            EvidenceStatus::Valid => "valid",
            EvidenceStatus::Expiring => "expiring",
            EvidenceStatus::Expired => "expired",
        }
    }
}

/// Evidence expires on `verified + valid_days`: expired from that day on, expiring within
/// `expiring_days` before it.
pub fn evidence(item: &Evidence, today: NaiveDate, expiring_days: u32) -> EvidenceStatus {
    let expires = item.expires();
    if expires <= today {
        EvidenceStatus::Expired
    } else if expires <= add_days(today, i64::from(expiring_days)) {
        EvidenceStatus::Expiring
    } else {
        EvidenceStatus::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn item(due: &str, delivered: Option<&str>, accepted: Option<bool>) -> Deliverable {
        Deliverable {
            id: "d".into(),
            name: "D".into(),
            due: date(due),
            delivered: delivered.map(date),
            accepted,
        }
    }

    #[test]
    fn deliverable_statuses_and_days_late() {
        let today = date("2026-04-10");
        let on_time = deliverable(&item("2026-03-31", Some("2026-03-31"), Some(true)), today);
        assert_eq!(
            on_time,
            DeliverableResult { status: DeliverableStatus::OnTime, days_late: None }
        );
        // Delivered 4 April against 31 March: 4 days late.
        let late = deliverable(&item("2026-03-31", Some("2026-04-04"), None), today);
        assert_eq!(late, DeliverableResult { status: DeliverableStatus::Late, days_late: Some(4) });
        // Not delivered, due 31 March, today 10 April: 10 days overdue.
        let overdue = deliverable(&item("2026-03-31", None, None), today);
        assert_eq!(
            overdue,
            DeliverableResult { status: DeliverableStatus::Overdue, days_late: Some(10) }
        );
        let pending = deliverable(&item("2026-04-10", None, None), today);
        assert_eq!(
            pending,
            DeliverableResult { status: DeliverableStatus::Pending, days_late: None }
        );
    }

    #[test]
    fn a_delivery_after_today_has_not_happened_yet() {
        // Due 31 March, delivered 30 October: on 10 April it is 10 days overdue, not late.
        let later = deliverable(&item("2026-03-31", Some("2026-10-30"), None), date("2026-04-10"));
        assert_eq!(
            later,
            DeliverableResult { status: DeliverableStatus::Overdue, days_late: Some(10) }
        );
        // Due 30 April: on 10 April it is still pending.
        let early = deliverable(&item("2026-04-30", Some("2026-10-30"), None), date("2026-04-10"));
        assert_eq!(
            early,
            DeliverableResult { status: DeliverableStatus::Pending, days_late: None }
        );
    }

    #[test]
    fn a_rejected_delivery_counts_as_not_delivered() {
        let rejected =
            deliverable(&item("2026-03-31", Some("2026-03-20"), Some(false)), date("2026-04-01"));
        assert_eq!(
            rejected,
            DeliverableResult { status: DeliverableStatus::Overdue, days_late: Some(1) }
        );
    }

    #[test]
    fn evidence_expires_on_verified_plus_valid_days() {
        // Verified 1 Feb 2026 for 365 days: expires 1 Feb 2027.
        let dpa = Evidence {
            id: "dpa".into(),
            clause: "c".into(),
            evidence: "e".into(),
            verified: date("2026-02-01"),
            valid_days: 365,
        };
        assert_eq!(dpa.expires(), date("2027-02-01"));
        assert_eq!(
            evidence(&dpa, date("2027-02-01"), 60),
            EvidenceStatus::Expired,
            "the day itself"
        );
        assert_eq!(evidence(&dpa, date("2027-01-31"), 60), EvidenceStatus::Expiring);
        // 60 days before 1 Feb 2027 is 3 Dec 2026.
        assert_eq!(evidence(&dpa, date("2026-12-03"), 60), EvidenceStatus::Expiring);
        assert_eq!(evidence(&dpa, date("2026-12-02"), 60), EvidenceStatus::Valid);
    }
}
