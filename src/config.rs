//! `vendorcard.yaml`: the site settings, read into [`Settings`] with their defaults. Unknown keys
//! are errors, as in contracts, so that a typo never silently changes a build.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::evaluate::periods::PeriodKind;
use crate::load::contracts::LONGEST_DAYS;
use crate::load::dates;
use crate::load::sources::fold_case;
use crate::load::values::{clean_text, label};
use crate::load::yaml::{self, Spanned};
use crate::model::{
    DecimalMark, Grade, Mapping, Settings, Source, SourceKpi, TimeUnit, VendorRule,
};

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
    #[serde(default)]
    sources: Vec<Spanned<RawSource>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: Spanned<String>,
    files: Spanned<OneOrMany>,
    date: Spanned<String>,
    date_format: Option<Spanned<String>>,
    vendor: Spanned<RawVendor>,
    key: Option<String>,
    #[serde(rename = "where")]
    filter: Option<BTreeMap<String, OneOrMany>>,
    #[serde(default)]
    missing: Vec<Text>,
    delimiter: Option<Spanned<String>>,
    decimal: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
    sheet: Option<String>,
    kpis: Spanned<BTreeMap<String, Spanned<RawMapping>>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawVendor {
    Fixed(String),
    Column(RawVendorColumn),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVendorColumn {
    column: String,
    map: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    column: Option<String>,
    unit: Option<RawTimeUnit>,
    scale: Option<Spanned<f64>>,
    equals: Option<OneOrMany>,
    between: Option<(String, String)>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawTimeUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

/// One value or a list of values, numbers and booleans read as the text they are written as.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Text),
    Many(Vec<Text>),
}

impl OneOrMany {
    fn is_empty(&self) -> bool {
        matches!(self, OneOrMany::Many(list) if list.is_empty())
    }

    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(text) => vec![text.0],
            OneOrMany::Many(list) => list.into_iter().map(|t| t.0).collect(),
        }
    }
}

/// A cell value as written: `Solved`, `1` or `true` alike.
#[derive(Debug)]
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a value, such as Solved or 1")
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
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
    expiring_days: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurveys {
    min_responses: Option<Spanned<u32>>,
}

/// Reads the settings file's text; every problem found is returned, not only the first.
pub fn parse(file: &str, text: &str) -> Result<Settings, Vec<Diagnostic>> {
    let (settings, problems) = parse_all(file, text);
    if problems.is_empty() { Ok(settings) } else { Err(problems) }
}

/// Reads the settings as far as they can be read, with every problem found: a setting that is
/// wrong keeps its default, and a source with problems is kept, marked unreadable, so that it
/// can still be checked against the contracts in the same run.
pub fn parse_all(file: &str, text: &str) -> (Settings, Vec<Diagnostic>) {
    let raw: RawSettings = match yaml::parse(file, text) {
        Ok(raw) => raw,
        Err(problem) => return (Settings::default(), vec![problem]),
    };
    let mut problems = Vec::new();
    let mut settings = Settings::default();

    if let Some(title) = raw.title.as_deref().map(clean_text).filter(|t| !t.is_empty()) {
        settings.title = title;
    }
    settings.organisation = raw.organisation.as_deref().map(clean_text).filter(|o| !o.is_empty());
    if let Some(base_url) = raw.base_url {
        match normalise_base_url(&base_url.value) {
            Ok(url) => settings.base_url = url,
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
            Ok(date) => {
                settings.as_of = Some(date);
                settings.as_of_place = Some((as_of.line, as_of.column));
            }
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
        if days.value <= LONGEST_DAYS {
            settings.expiring_days = days.value;
        } else {
            let message = format!("`expiring_days` must be at most {LONGEST_DAYS}");
            problems.push(days.error(file, text, message));
        }
    }
    let mut names = std::collections::HashSet::new();
    for source in raw.sources {
        let (source, mut found) = source_from(source, file, text, &mut names);
        settings.sources.push(source);
        problems.append(&mut found);
    }
    if let Some(floor) = raw.surveys.and_then(|surveys| surveys.min_responses) {
        if floor.value == 0 {
            problems.push(floor.error(file, text, "`min_responses` must be at least 1"));
        }
        settings.survey_min_responses = floor.value.max(1);
    }

    (settings, problems)
}

/// Checks one source and turns it into its model, with the problems found.
fn source_from(
    raw: Spanned<RawSource>,
    file: &str,
    text: &str,
    names: &mut std::collections::HashSet<String>,
) -> (Source, Vec<Diagnostic>) {
    let at = (raw.line, raw.column);
    let raw = raw.value;
    let mut problems = Vec::new();
    let mut fail = |at: &dyn Placed, message: String| problems.push(at.place(file, text, message));

    let name = raw.name.value.trim().to_owned();
    if name.is_empty() {
        fail(&raw.name, "a source needs a `name`, such as helpdesk".to_owned());
    } else if !names.insert(name.clone()) {
        fail(&raw.name, format!("two sources are named `{name}`: give each its own name"));
    }
    let files_at = Placement(raw.files.line, raw.files.column);
    let files: Vec<String> =
        raw.files.value.into_vec().into_iter().map(|f| f.trim().to_owned()).collect();
    if files.is_empty() {
        fail(&files_at, "`files` names no glob: write one, such as exports/*.csv".to_owned());
    }
    for glob in &files {
        if glob.starts_with('/') || glob.split('/').any(|part| part == "..") {
            fail(
                &files_at,
                format!(
                    "`{glob}` leaves the project folder: `files` is a glob relative to it, such as exports/*.csv"
                ),
            );
        } else if let Err(error) = crate::load::discover::source_glob(glob) {
            fail(&files_at, format!("`{glob}` is not a glob: {}", error.kind()));
        }
    }
    if let Some(format) = &raw.date_format
        && let Err(message) = dates::check_date_format(&format.value)
    {
        fail(format, message);
    }
    let delimiter = raw.delimiter.as_ref().and_then(|d| match d.value.as_str() {
        "\t" | "tab" => Some(b'\t'),
        one if one.len() == 1 && one.is_ascii() && !one.contains(['"', '\n', '\r']) => {
            Some(one.as_bytes()[0])
        }
        other => {
            fail(
                d,
                format!(
                    "`{other}` is not a separator: expected one character, such as \";\" or \"\\t\""
                ),
            );
            None
        }
    });
    let decimal = match raw.decimal.as_ref().map(|d| (d, d.value.as_str())) {
        None | Some((_, ".")) => DecimalMark::Point,
        Some((_, ",")) => DecimalMark::Comma,
        Some((d, other)) => {
            fail(d, format!("`{other}` is not a decimal mark: expected \".\" or \",\""));
            DecimalMark::Point
        }
    };
    let encoding = raw.encoding.as_ref().and_then(|e| {
        let found = encoding_rs::Encoding::for_label(e.value.trim().as_bytes());
        if found.is_none() {
            fail(
                e,
                format!(
                    "`{}` is not an encoding: expected one such as utf-8, windows-1252 or utf-16le",
                    e.value
                ),
            );
        }
        found
    });
    let vendor_at = (raw.vendor.line, raw.vendor.column);
    if let RawVendor::Column(column) = &raw.vendor.value
        && column.map.is_empty()
    {
        fail(
            &raw.vendor,
            "`vendor.map` is empty: map the column's values to vendor ids".to_owned(),
        );
    }
    if let RawVendor::Column(column) = &raw.vendor.value {
        // Values are matched whatever their case, so two keys that differ only in case are one.
        let mut folded: BTreeMap<String, (&str, &str)> = BTreeMap::new();
        for (value, id) in &column.map {
            let (first, first_id) = *folded.entry(fold_case(value)).or_insert((value, id));
            if first_id.trim() != id.trim() {
                fail(
                    &raw.vendor,
                    format!(
                        "`vendor.map` maps `{first}` to `{}` and `{value}` to `{}`: values are matched whatever their case, so map them to one vendor",
                        first_id.trim(),
                        id.trim()
                    ),
                );
            }
        }
    }
    let vendor = match raw.vendor.value {
        RawVendor::Fixed(id) => VendorRule::Fixed(id.trim().to_owned()),
        RawVendor::Column(column) => VendorRule::Column {
            column: column.column,
            map: column.map.into_iter().map(|(value, id)| (value, id.trim().to_owned())).collect(),
        },
    };

    if raw.kpis.value.is_empty() {
        fail(&raw.kpis, "the source maps no KPIs: add at least one under `kpis`".to_owned());
    }
    let mut kpis = Vec::new();
    for (id, mapping) in raw.kpis.value {
        let place = (mapping.line, mapping.column);
        let mapping_text_place = mapping_place(place);
        if !crate::load::contracts::is_kpi_id(&id) {
            fail(
                &mapping_text_place,
                format!("`{id}` is not a KPI id: use lowercase letters, digits and `_`"),
            );
        }
        match mapping_from(mapping.value) {
            Ok(mapping) => kpis.push(SourceKpi { id, mapping, at: place }),
            Err(message) => fail(&mapping_text_place, message),
        }
    }

    let source = Source {
        readable: problems.is_empty(),
        name,
        files,
        date: raw.date.value,
        date_format: raw.date_format.map(|f| f.value),
        vendor,
        key: raw.key,
        filters: raw
            .filter
            .unwrap_or_default()
            .into_iter()
            .map(|(column, values)| (column, values.into_vec()))
            .collect(),
        missing: raw.missing.into_iter().map(|t| t.0).collect(),
        delimiter,
        decimal,
        encoding,
        sheet: raw.sheet,
        kpis,
        at,
        vendor_at,
    };
    (source, problems)
}

/// A place known only by its line and column.
struct Placement(u64, u64);

fn mapping_place(place: (u64, u64)) -> Placement {
    Placement(place.0, place.1)
}

impl Placed for Placement {
    fn place(&self, file: &str, text: &str, message: String) -> Diagnostic {
        Diagnostic::error(file, message).at(self.0, self.1, Some(text))
    }
}

/// Something placed in the settings file.
trait Placed {
    fn place(&self, file: &str, text: &str, message: String) -> Diagnostic;
}

impl<T> Placed for Spanned<T> {
    fn place(&self, file: &str, text: &str, message: String) -> Diagnostic {
        self.error(file, text, message)
    }
}

fn mapping_from(raw: RawMapping) -> Result<Mapping, String> {
    let unit = raw.unit.map(|unit| match unit {
        RawTimeUnit::Seconds => TimeUnit::Seconds,
        RawTimeUnit::Minutes => TimeUnit::Minutes,
        RawTimeUnit::Hours => TimeUnit::Hours,
        RawTimeUnit::Days => TimeUnit::Days,
    });
    let scale = raw.scale.map(|s| s.value);
    if scale.is_some_and(|s| !s.is_finite() || s <= 0.0 || s > 1e6) {
        return Err(
            "`scale` must be a number above 0, such as 100 for a spreadsheet's percentages"
                .to_owned(),
        );
    }
    match (raw.column, raw.equals, raw.between) {
        (Some(column), None, None) => Ok(Mapping::Column { column, unit, scale }),
        (Some(_), Some(values), None) if values.is_empty() => {
            Err("`equals` lists no values: write the value (or values) that count as 100".to_owned())
        }
        (Some(column), Some(values), None) if unit.is_none() && scale.is_none() => {
            Ok(Mapping::Equals { column, values: values.into_vec() })
        }
        (Some(_), Some(_), None) => Err("`equals` gives 100 or 0: drop `unit` and `scale`".to_owned()),
        (None, None, Some(_)) if scale.is_some() => Err("`between` gives a time: drop `scale`".to_owned()),
        (None, None, Some((start, end))) => Ok(Mapping::Between { start, end, unit }),
        (None, Some(_), _) => Err("`equals` needs the `column` it compares".to_owned()),
        _ => Err("a KPI is read from one `column` (with `unit` or `equals`) or from `between: [start, end]`".to_owned()),
    }
}

/// A base URL is the absolute address of the folder the site is hosted in, written the way
/// browsers write it (lower-case scheme, punycode host, dots resolved) with one trailing `/` so
/// that paths can follow it. Empty or `/` means no address is known: pages then claim none.
pub fn normalise_base_url(text: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() || text == "/" {
        return Ok(None);
    }
    let expected =
        "expected the address of the site's folder, such as https://example.com/scorecards/";
    let url = url::Url::parse(text)
        .map_err(|e| format!("`{text}` is not an address ({e}): {expected}"))?;
    let problem = if !matches!(url.scheme(), "http" | "https") {
        Some("is not an http or https address")
    } else if url.host_str().is_none_or(str::is_empty) {
        Some("has no host")
    } else if !url.username().is_empty() || url.password().is_some() {
        Some("holds a user name or password, which every page would publish")
    } else if url.query().is_some() || url.fragment().is_some() {
        Some("has a query or fragment (`?…` or `#…`), which no page address may carry")
    } else if url.path().ends_with(".html") || url.path().ends_with(".htm") {
        Some("names a page rather than the folder the site is in")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(format!("`{text}` {problem}: {expected}"));
    }
    let mut normal = url.to_string();
    if !normal.ends_with('/') {
        normal.push('/');
    }
    Ok(Some(normal))
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
    let mut names = std::collections::HashSet::new();
    for grade in &grades.value {
        // `--fail-on grade:A` and the pages name a grade by its name alone, as it shows.
        let name = label(&grade.grade.value);
        if name.is_empty() {
            problems.push(grade.grade.error(file, text, "a grade needs a name, such as A"));
        } else if !names.insert(name.clone()) {
            let message = format!("grade `{name}` is listed twice: give each grade its own name");
            problems.push(grade.grade.error(file, text, message));
        }
        if !grade.min.value.is_finite() || !(0.0..=100.0).contains(&grade.min.value) {
            problems.push(grade.min.error(file, text, "`min` must be a score from 0 to 100"));
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
            grade: label(&raw.grade.value),
            min: raw.min.value,
            consequence: raw.consequence.as_deref().map(clean_text).filter(|c| !c.is_empty()),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_is_the_folder_of_the_site_written_as_browsers_write_it() {
        let normal = |text: &str| normalise_base_url(text);
        assert_eq!(normal("https://x.test/s"), Ok(Some("https://x.test/s/".to_owned())));
        assert_eq!(normal("HTTPS://X.TEST/a/../b/"), Ok(Some("https://x.test/b/".to_owned())));
        assert_eq!(
            normal("https://bücher.example/"),
            Ok(Some("https://xn--bcher-kva.example/".to_owned()))
        );
        assert_eq!(normal("/"), Ok(None));
        assert_eq!(normal(""), Ok(None));
        for refused in [
            "https://",
            "ftp://x.test/",
            "javascript:alert(1)",
            "x.test/s",
            "https://user:secret@x.test/",
            "https://x.test/s?q=1",
            "https://x.test/s#top",
            "https://x.test/s/index.html",
            "https://x.test:99999/",
        ] {
            assert!(normal(refused).is_err(), "{refused}");
        }
    }

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
    fn a_grade_named_twice_and_a_horizon_past_a_century_are_errors() {
        let text = "grades:\n  - { grade: A, min: 90 }\n  - { grade: A, min: 0 }\n\
                    alerts: { expiring_days: 100000 }\n";
        let problems = parse("vendorcard.yaml", text).unwrap_err();
        let found: Vec<_> = problems.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert_eq!(
            found,
            [
                (Some(3), "grade `A` is listed twice: give each grade its own name"),
                (Some(4), "`expiring_days` must be at most 36500"),
            ]
        );
    }

    #[test]
    fn a_grade_named_with_nothing_visible_is_no_name_and_a_hidden_twin_is_a_twin() {
        let text = "grades:\n  - { grade: \"\\u200B\", min: 90 }\n  - { grade: \"\\u200BD\", min: 50 }\n\
                    \x20 - { grade: \"D\\uFE0F\", min: 20 }\n  - { grade: D, min: 0 }\n";
        let problems = parse("vendorcard.yaml", text).unwrap_err();
        let found: Vec<_> = problems.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert_eq!(
            found,
            [
                (Some(2), "a grade needs a name, such as A"),
                (Some(4), "grade `D` is listed twice: give each grade its own name"),
                (Some(5), "grade `D` is listed twice: give each grade its own name"),
            ]
        );
    }

    #[test]
    fn a_typo_in_a_key_is_an_error() {
        let problems = parse("vendorcard.yaml", "titel: x\n").unwrap_err();
        assert!(problems[0].message.contains("unknown field `titel`"));
        assert_eq!(problems[0].line, Some(1));
    }
}
