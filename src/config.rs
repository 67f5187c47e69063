//! `vendorcard.yaml`: the site settings, read into [`Settings`] with their defaults. Unknown keys
//! are errors, as in contracts, so that a typo never silently changes a build.

use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::evaluate::periods::PeriodKind;
use crate::load::dates;
use crate::load::values::clean_text;
use crate::load::yaml::{self, Spanned};
use crate::model::{Grade, Settings};

/// The settings file's name in the project folder.
pub const SETTINGS_FILE: &str = "vendorcard.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    title: Option<String>,
    organisation: Option<String>,
    base_url: Option<Spanned<String>>,
    period: Option<RawPeriod>,
    as_of: Option<Spanned<String>>,
    grades: Option<Spanned<Vec<RawGrade>>>,
    alerts: Option<RawAlerts>,
    surveys: Option<RawSurveys>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawPeriod {
    Month,
    Quarter,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrade {
    grade: Spanned<String>,
    min: Spanned<f64>,
    consequence: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerts {
    expiring_days: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurveys {
    min_responses: Option<Spanned<u32>>,
}

/// Reads the settings file's text; every problem found is returned, not only the first.
pub fn parse(file: &str, text: &str) -> Result<Settings, Vec<Diagnostic>> {
    let raw: RawSettings = yaml::parse(file, text).map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    let mut settings = Settings::default();

    if let Some(title) = raw.title.as_deref().map(clean_text).filter(|t| !t.is_empty()) {
        settings.title = title;
    }
    settings.organisation = raw.organisation.as_deref().map(clean_text).filter(|o| !o.is_empty());
    if let Some(base_url) = raw.base_url {
        match normalise_base_url(&base_url.value) {
            Ok(url) => settings.base_url = Some(url),
            Err(message) => problems.push(base_url.error(file, text, message)),
        }
    }
    if let Some(period) = raw.period {
        settings.period = match period {
            RawPeriod::Month => PeriodKind::Month,
            RawPeriod::Quarter => PeriodKind::Quarter,
        };
    }
    if let Some(as_of) = raw.as_of {
        match dates::parse_as_of(&as_of.value) {
            Ok(date) => settings.as_of = Some(date),
            Err(message) => problems.push(as_of.error(file, text, message)),
        }
    }
    if let Some(grades) = raw.grades {
        match grades_from(&grades, file, text) {
            Ok(list) => settings.grades = list,
            Err(mut found) => problems.append(&mut found),
        }
    }
    if let Some(days) = raw.alerts.and_then(|alerts| alerts.expiring_days) {
        settings.expiring_days = days;
    }
    if let Some(floor) = raw.surveys.and_then(|surveys| surveys.min_responses) {
        if floor.value == 0 {
            problems.push(floor.error(file, text, "`min_responses` must be at least 1"));
        }
        settings.survey_min_responses = floor.value.max(1);
    }

    if problems.is_empty() { Ok(settings) } else { Err(problems) }
}

/// A base URL must be absolute; it is kept with one trailing `/` so paths can follow it.
pub fn normalise_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if !scheme_ok || url.contains(char::is_whitespace) {
        return Err(format!(
            "`{url}` is not an absolute address: expected one such as https://example.com/scorecards/"
        ));
    }
    Ok(format!("{}/", url.trim_end_matches('/')))
}

fn grades_from(
    grades: &Spanned<Vec<RawGrade>>,
    file: &str,
    text: &str,
) -> Result<Vec<Grade>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    if grades.value.is_empty() {
        problems.push(grades.error(
            file,
            text,
            "`grades` is empty: list at least one grade with `min: 0`",
        ));
    }
    for pair in grades.value.windows(2) {
        if pair[1].min.value >= pair[0].min.value {
            problems.push(pair[1].min.error(
                file,
                text,
                format!(
                    "grade `{}` has `min` {}, not below the {} of `{}` before it: list grades from the highest `min` down",
                    pair[1].grade.value, pair[1].min.value, pair[0].min.value, pair[0].grade.value
                ),
            ));
        }
    }
    for grade in &grades.value {
        if !grade.min.value.is_finite() || !(0.0..=100.0).contains(&grade.min.value) {
            problems.push(grade.min.error(file, text, "`min` must be a score from 0 to 100"));
        }
        if grade.grade.value.trim().is_empty() {
            problems.push(grade.grade.error(file, text, "a grade needs a name, such as A"));
        }
    }
    if let Some(last) = grades.value.last()
        && last.min.value != 0.0
    {
        problems.push(last.min.error(
            file,
            text,
            format!(
                "the last grade, `{}`, must have `min: 0` so that every score has a grade",
                last.grade.value
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(grades
        .value
        .iter()
        .map(|raw| Grade {
            grade: clean_text(&raw.grade.value),
            min: raw.min.value,
            consequence: raw.consequence.as_deref().map(clean_text).filter(|c| !c.is_empty()),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_gives_the_defaults() {
        assert_eq!(parse("vendorcard.yaml", "{}\n").unwrap(), Settings::default());
    }

    #[test]
    fn every_key_is_read() {
        let text = "title: Q\norganisation: Acme\nbase_url: https://x.test/s\nperiod: quarter\n\
                    as_of: 2026-Q3\ngrades:\n  - {grade: Good, min: 80}\n  - {grade: Poor, min: 0, consequence: Plan}\n\
                    alerts: {expiring_days: 30}\nsurveys: {min_responses: 5}\n";
        let settings = parse("vendorcard.yaml", text).unwrap();
        assert_eq!(settings.title, "Q");
        assert_eq!(settings.base_url.as_deref(), Some("https://x.test/s/"));
        assert_eq!(settings.period, PeriodKind::Quarter);
        assert_eq!(settings.as_of.unwrap().to_string(), "2026-09-30");
        assert_eq!(settings.grades[1].consequence.as_deref(), Some("Plan"));
        assert_eq!((settings.expiring_days, settings.survey_min_responses), (30, 5));
    }

    #[test]
    fn grades_out_of_order_and_not_ending_at_zero_are_both_reported() {
        let text = "grades:\n  - {grade: A, min: 60}\n  - {grade: B, min: 75}\n";
        let problems = parse("vendorcard.yaml", text).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].line, Some(3));
        assert!(problems[0].message.contains("from the highest"));
        assert!(problems[1].message.contains("min: 0"));
    }

    #[test]
    fn a_typo_in_a_key_is_an_error() {
        let problems = parse("vendorcard.yaml", "titel: x\n").unwrap_err();
        assert!(problems[0].message.contains("unknown field `titel`"));
        assert_eq!(problems[0].line, Some(1));
    }
}
