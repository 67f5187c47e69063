//! Gates: conditions a pipeline can choose to fail on once the site is built, apart from
//! invalid input. A gate that trips makes the run exit with code 3.

use std::fmt;
use std::str::FromStr;

use crate::evaluate::Evaluation;
use crate::evaluate::alerts::{AlertKind, Severity};
use crate::model::Project;

/// One condition, as written after `--fail-on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gate {
    /// `grade:D`: a vendor's headline grade is this grade or a worse one.
    Grade(String),
    /// `alert:high`: a vendor has an alert of this severity or a worse one.
    Alert(Severity),
    /// `kind:breach_streak`: a vendor has an alert of this kind.
    Kind(AlertKind),
    /// `credits`: a credit became owed in the period holding `as_of`: one raised in it and
    /// owed outright, or an earlier one whose earn-back the KPI missed in it (pending and
    /// disputed credits are not owed yet).
    Credits,
}

impl FromStr for Gate {
    type Err = String;

    fn from_str(text: &str) -> Result<Gate, String> {
        let expected =
            "expected grade:<grade>, alert:high|medium|low, kind:<alert kind> or credits";
        match text.split_once(':') {
            None if text == "credits" => Ok(Gate::Credits),
            Some(("grade", grade)) if !grade.is_empty() => Ok(Gate::Grade(grade.to_owned())),
            Some(("alert", "high")) => Ok(Gate::Alert(Severity::High)),
            Some(("alert", "medium")) => Ok(Gate::Alert(Severity::Medium)),
            Some(("alert", "low")) => Ok(Gate::Alert(Severity::Low)),
            Some(("kind", name)) => match AlertKind::ALL.into_iter().find(|k| k.name() == name) {
                Some(kind) => Ok(Gate::Kind(kind)),
                None => {
                    let kinds: Vec<&str> = AlertKind::ALL.iter().map(|k| k.name()).collect();
                    Err(format!(
                        "`{text}` names no alert kind: expected one of {}",
                        kinds.join(", ")
                    ))
                }
            },
            _ => Err(format!("`{text}` is not a gate: {expected}")),
        }
    }
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gate::Grade(grade) => write!(f, "grade:{grade}"),
            Gate::Alert(severity) => write!(f, "alert:{}", severity.name()),
            Gate::Kind(kind) => write!(f, "kind:{}", kind.name()),
            Gate::Credits => f.write_str("credits"),
        }
    }
}

/// Checks that every gate names something the project has (a grade of its settings).
pub fn check_gates(gates: &[Gate], project: &Project) -> Result<(), String> {
    for gate in gates {
        if let Gate::Grade(grade) = gate
            && !project.settings.grades.iter().any(|g| &g.grade == grade)
        {
            let grades: Vec<&str> =
                project.settings.grades.iter().map(|g| g.grade.as_str()).collect();
            return Err(format!(
                "`{gate}` names no grade of the settings: expected one of {}",
                grades.join(", ")
            ));
        }
    }
    Ok(())
}

/// A gate that tripped, and the vendors that tripped it, by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tripped {
    pub gate: Gate,
    pub vendors: Vec<String>,
}

impl fmt::Display for Tripped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gate {} tripped by {}", self.gate, self.vendors.join(", "))
    }
}

/// Every gate that trips, in the order given, with the vendors that trip it.
pub fn tripped(gates: &[Gate], project: &Project, evaluation: &Evaluation) -> Vec<Tripped> {
    let mut found = Vec::new();
    for gate in gates {
        let vendors: Vec<String> = evaluation
            .scorecards
            .iter()
            .filter(|card| {
                let headline = card.current(evaluation.period);
                match gate {
                    Gate::Grade(grade) => {
                        let limit = project.settings.grades.iter().position(|g| &g.grade == grade);
                        headline
                            .and_then(|p| p.grade)
                            .zip(limit)
                            .is_some_and(|(g, limit)| g >= limit)
                    }
                    Gate::Alert(severity) => card.alerts.iter().any(|a| a.severity <= *severity),
                    // A breach three periods running is a breach too.
                    Gate::Kind(AlertKind::KpiBreach) => card
                        .alerts
                        .iter()
                        .any(|a| matches!(a.kind, AlertKind::KpiBreach | AlertKind::BreachStreak)),
                    Gate::Kind(kind) => card.alerts.iter().any(|a| a.kind == *kind),
                    Gate::Credits => {
                        card.became_owed(evaluation.period).any(|(_, c)| !c.percent.is_zero())
                    }
                }
            })
            .map(|card| project.contracts[card.vendor].id.clone())
            .collect();
        if !vendors.is_empty() {
            found.push(Tripped { gate: gate.clone(), vendors });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_are_read_as_written() {
        assert_eq!("grade:D".parse(), Ok(Gate::Grade("D".into())));
        assert_eq!("alert:high".parse(), Ok(Gate::Alert(Severity::High)));
        assert_eq!("kind:breach_streak".parse(), Ok(Gate::Kind(AlertKind::BreachStreak)));
        assert!("kind:breach".parse::<Gate>().is_err());
        assert_eq!("credits".parse(), Ok(Gate::Credits));
        assert!("alert:urgent".parse::<Gate>().is_err());
        assert!("grade:".parse::<Gate>().is_err());
    }
}
