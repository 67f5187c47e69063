//! Loading a project: discovery, settings, contracts and KPI exports, parsed and validated into a
//! [`Project`]. Every file is read and every problem found is returned together; nothing here
//! knows about HTML or scores.

pub mod contracts;
pub mod dates;
pub mod discover;
pub mod fold;
pub mod kpi_exports;
pub mod plain_rows;
pub mod reviews;
pub mod sources;
pub mod spelling;
pub mod surveys;
pub mod tables;
pub mod values;
pub mod yaml;

use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config;
use crate::diagnostics::Diagnostic;
use crate::evaluate::periods::Period;
use crate::model::{Contract, Measurements, Project, Settings};
use contracts::{Outline, Rejected};
use discover::InputFile;
use fold::{LeftOut, Window};
use kpi_exports::{FileCounts, Registry};
use rayon::prelude::*;

/// A project's own page template or style sheet, replacing the built-in of the same name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateOverride {
    pub name: String,
    pub shown: String,
    pub text: String,
}

/// What loading found besides the project itself, for the build log.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub contracts: usize,
    pub files: Vec<FileCounts>,
    pub sources: Vec<sources::SourceReport>,
    pub survey_answers: u64,
    /// Per vendor id: survey answers left out because of their date.
    pub survey_left_out: BTreeMap<String, LeftOut>,
    pub reviews: usize,
    /// Review files dated after the day the site is built for, left out: the file name of each.
    pub reviews_after_today: Vec<String>,
    /// Disputes raised after the day the site is built for, left out: `vendor kpi period`.
    pub disputes_after_today: Vec<String>,
    /// Measurements kept: in the term and on or before `as_of`.
    pub measurements: u64,
    /// Per vendor id: measurements left out because of their date.
    pub left_out: BTreeMap<String, LeftOut>,
    pub warnings: Vec<Diagnostic>,
    /// Files in input folders that are not read, with the reason.
    pub ignored_files: Vec<(String, &'static str)>,
    /// Whether `as_of` was derived from the data rather than set.
    pub as_of_derived: bool,
}

#[derive(Debug)]
pub struct Loaded {
    pub project: Project,
    pub templates: Vec<TemplateOverride>,
    pub report: LoadReport,
}

/// Reads and validates the project at `root`. `today` decides the default `as_of`; `output`,
/// the folder the site will be written to, is never read. With `only`, the site is for that
/// vendor alone; its `as_of` is still the whole project's, so that a vendor that stops
/// reporting finds its missing periods scored as the buyer's site scores them.
pub fn load(
    root: &Path,
    today: NaiveDate,
    output: Option<&Path>,
    only: Option<&str>,
) -> Result<Loaded, Vec<Diagnostic>> {
    let mut found = discover::discover(root)?;
    let mut problems = std::mem::take(&mut found.problems);
    problems.extend(discover::one_file_twice(&mut found.kpi_exports));
    problems.extend(discover::one_file_twice(&mut found.surveys));
    let mut report = LoadReport { ignored_files: found.ignored.clone(), ..LoadReport::default() };

    let (settings, settings_text) = load_settings(found.settings.as_ref(), today, &mut problems);
    let (contracts, broken) = load_contracts(&found.contracts, settings.period, &mut problems);
    let source_files = find_source_files(
        root,
        output,
        &settings,
        &contracts,
        &broken,
        &settings_text,
        &mut problems,
    );
    let order = FileOrder::new(&found.kpi_exports, &source_files);
    let mut measurements = load_exports(
        &found.kpi_exports,
        &order,
        &contracts,
        &broken,
        &settings,
        &mut report,
        &mut problems,
    );
    load_sources(
        &settings,
        &settings_text,
        &source_files,
        &order,
        &contracts,
        &mut measurements,
        &mut report,
        &mut problems,
    );
    let broken_ids: Vec<String> = broken.iter().map(|o| o.id.clone()).collect();
    let surveys =
        surveys::read(&found.surveys, &contracts, &broken_ids, settings.period, settings.as_of);
    problems.extend(surveys.problems);
    for (vendor, left_out) in surveys.left_out {
        report.survey_left_out.entry(contracts[vendor].id.clone()).or_default().add(left_out);
    }
    report.survey_answers = surveys.answers;

    let mut reviews = load_reviews(&found.reviews, &contracts, &broken_ids, &mut problems);
    // A review after the day the site is built for has not happened yet for that site: a
    // rebuild for an earlier day must show the actions as they stood then.
    reviews.retain(|review| {
        let held = review.date <= today;
        if !held {
            report.reviews_after_today.push(review.file.clone());
        }
        held
    });
    report.reviews = reviews.len();
    let templates = load_templates(&found.templates, &mut problems);

    if !problems.is_empty() {
        // The warnings go with the errors, so that a failed run still says all it found.
        problems.append(&mut report.warnings);
        return Err(problems);
    }

    // Nor has a dispute raised after that day: until it is, the credit is owed as measured.
    // One decided after that day was still open on it.
    let mut contracts = contracts;
    for contract in &mut contracts {
        let (id, kpis) = (&contract.id, &contract.kpis);
        contract.disputes.retain(|dispute| {
            let raised = dispute.raised <= today;
            if !raised {
                let kpi = &kpis[dispute.kpi].id;
                report.disputes_after_today.push(format!("{id} {kpi} {}", dispute.period));
            }
            raised
        });
        for dispute in &mut contract.disputes {
            if dispute.decided.is_some_and(|decided| decided > today) {
                dispute.status = crate::model::DisputeStatus::Open;
                dispute.decided = None;
            }
        }
    }

    report.contracts = contracts.len();
    report.as_of_derived = settings.as_of.is_none();
    let mut project = Project {
        as_of: NaiveDate::MIN,
        settings,
        contracts,
        measurements,
        surveys: surveys.cells,
        reviews,
    };
    project.as_of = project
        .settings
        .as_of
        .unwrap_or_else(|| derive_as_of(&project.measurements, &project.settings, today));
    let measured = leave_out_after(&mut project, &mut report);
    warn_of_unmeasured(&project, &measured, only, &mut report);
    Ok(Loaded { project, templates, report })
}

/// The largest settings, contract, review or template file read, in bytes. Such files are
/// written by hand and run to a few kilobytes; a larger one is most likely the wrong file, and
/// is refused before it is parsed.
pub const LARGEST_TEXT_FILE: u64 = 1 << 20;

fn read_text(file: &InputFile) -> Result<String, Diagnostic> {
    let cannot = |error: std::io::Error| {
        Diagnostic::error(&file.shown, format!("cannot be read: {error}")).io()
    };
    let mut bytes = Vec::new();
    std::fs::File::open(&file.path)
        .and_then(|opened| opened.take(LARGEST_TEXT_FILE + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > LARGEST_TEXT_FILE {
        return Err(Diagnostic::error(
            &file.shown,
            format!(
                "is larger than {} MiB, the most a settings, contract, review or template file may be: check that it is the file meant",
                LARGEST_TEXT_FILE >> 20
            ),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let before = &error.as_bytes()[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let mut diagnostic = Diagnostic::error(&file.shown, "is not UTF-8 text: save it as UTF-8");
        diagnostic.line = Some(line);
        diagnostic
    })?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text))
}

/// The settings, and the settings file's name and text for placing later problems in it.
fn load_settings(
    file: Option<&InputFile>,
    today: NaiveDate,
    problems: &mut Vec<Diagnostic>,
) -> (Settings, (String, String)) {
    let Some(file) = file else { return (Settings::default(), (String::new(), String::new())) };
    let text = match read_text(file) {
        Ok(text) => text,
        Err(problem) => {
            problems.push(problem);
            return (Settings::default(), (file.shown.clone(), String::new()));
        }
    };
    let (settings, mut found) = config::parse_all(&file.shown, &text);
    problems.append(&mut found);
    // Periods not yet ended would be scored, their KPIs missing and owing credits.
    if let (Some(as_of), Some((line, column))) = (settings.as_of, settings.as_of_place)
        && as_of > today
    {
        let problem = Diagnostic::error(
            &file.shown,
            format!("`as_of` closes the data on {as_of}, after today ({today}): periods that have not ended cannot be scored"),
        )
        .at(line, column, Some(&text))
        .with_help("set `as_of` to a period that has ended, or leave it out to close the data at the latest one");
        problems.push(problem);
    }
    (settings, (file.shown.clone(), text))
}

/// The files of each source, once the sources are checked against the contracts. A source
/// whose glob matches nothing is an error: its KPIs would silently go missing.
fn find_source_files(
    root: &Path,
    output: Option<&Path>,
    settings: &Settings,
    contracts: &[Contract],
    broken: &[Outline],
    (file, text): &(String, String),
    problems: &mut Vec<Diagnostic>,
) -> Vec<Vec<InputFile>> {
    let broken_ids: Vec<String> = broken.iter().map(|o| o.id.clone()).collect();
    for source in &settings.sources {
        problems.extend(sources::check_against(source, contracts, &broken_ids, file, text));
    }
    let globs: Vec<&[String]> = settings.sources.iter().map(|s| s.files.as_slice()).collect();
    let (mut matched, mut unreadable) = discover::source_files(root, &globs, output);
    problems.append(&mut unreadable);
    for files in &mut matched {
        problems.extend(discover::one_file_twice(files));
    }
    // One file read by two sources that map the same KPI would count its rows twice, also
    // when one of them reaches it through a link.
    let identity = |f: &InputFile| std::fs::canonicalize(&f.path).unwrap_or(f.path.clone());
    let identities: Vec<Vec<PathBuf>> =
        matched.iter().map(|files| files.iter().map(identity).collect()).collect();
    let by_identity: Vec<HashMap<&Path, &InputFile>> = matched
        .iter()
        .zip(&identities)
        .map(|(files, ids)| ids.iter().map(PathBuf::as_path).zip(files).collect())
        .collect();
    for (later, source) in settings.sources.iter().enumerate() {
        for (before, earlier) in settings.sources[..later].iter().enumerate() {
            let shared_kpi = source.kpis.iter().find(|k| earlier.kpis.iter().any(|e| e.id == k.id));
            let shared_file = matched[later]
                .iter()
                .zip(&identities[later])
                .find_map(|(f, id)| by_identity[before].get(id.as_path()).map(|other| (f, *other)));
            if let (Some(kpi), Some((shared, other))) = (shared_kpi, shared_file) {
                let named = if other.shown == shared.shown {
                    format!("`{}`", shared.shown)
                } else {
                    format!("`{}` (the same file as `{}`)", shared.shown, other.shown)
                };
                problems.push(
                    Diagnostic::error(
                        file,
                        format!(
                            "{named} is read by sources `{}` and `{}`, which both map `{}`: its rows would be counted twice",
                            earlier.name, source.name, kpi.id
                        ),
                    )
                    .at(source.at.0, source.at.1, Some(text))
                    .with_help("give each source its own files, or map each KPI in one of them"),
                );
            }
        }
    }
    for (source, files) in settings.sources.iter().zip(&matched) {
        // A source with problems of its own has been reported already.
        if files.is_empty() && source.readable {
            problems.push(
                Diagnostic::error(file, format!("source `{}` matches no files with `{}`", source.name, source.files.join("`, `")))
                    .at(source.at.0, source.at.1, Some(text))
                    .with_help("`files` is a glob relative to the project folder, such as exports/helpdesk-*.csv; files in the input folders and the output folder are not matched"),
            );
        }
    }
    matched
}

/// Every export's place in the sorted list of them, so that `last` breaks ties by file path
/// whichever kind of export a measurement came from.
#[derive(Debug)]
struct FileOrder(BTreeMap<String, u32>);

impl FileOrder {
    fn new(exports: &[InputFile], sources: &[Vec<InputFile>]) -> FileOrder {
        let mut paths: Vec<&str> =
            exports.iter().chain(sources.iter().flatten()).map(|f| f.shown.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        FileOrder(paths.into_iter().zip(0u32..).map(|(p, i)| (p.to_owned(), i)).collect())
    }

    fn index(&self, file: &InputFile) -> u32 {
        self.0.get(&file.shown).copied().unwrap_or(u32::MAX)
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call, in load, passes what loading has gathered so far"
)]
fn load_sources(
    settings: &Settings,
    (settings_file, settings_text): &(String, String),
    files: &[Vec<InputFile>],
    order: &FileOrder,
    contracts: &[Contract],
    measurements: &mut Measurements,
    report: &mut LoadReport,
    problems: &mut Vec<Diagnostic>,
) {
    let window = Window { kind: settings.period, as_of: settings.as_of };
    for (source, files) in settings.sources.iter().zip(files).filter(|(source, _)| source.readable)
    {
        let indexed: Vec<(InputFile, u32)> =
            files.iter().map(|f| (f.clone(), order.index(f))).collect();
        let read = sources::read(source, &indexed, contracts, window);
        // A source that measures nothing would leave its KPIs missing, owing credits: that is
        // a mistake in its mapping far more often than in the data. Rows of a vendor whose
        // contract is broken are not measured, which that contract's problems explain.
        if read.report.measured_rows == 0
            && read.report.rows_of_broken_contracts == 0
            && read.problems.is_empty()
        {
            problems.push(
                Diagnostic::error(
                    settings_file,
                    format!("source `{}` measured no rows: {}", source.name, read.report.line()),
                )
                .at(source.at.0, source.at.1, Some(settings_text))
                .with_help(
                    "check `vendor.map`, `where` and the KPI columns against the files' values",
                ),
            );
        }
        read.fold.merge_into(measurements, &mut report.left_out);
        problems.extend(read.problems);
        report.sources.push(read.report);
    }
}

/// The contracts, sorted by id, and the outlines of those that failed to load.
fn load_contracts(
    files: &[InputFile],
    kind: crate::evaluate::periods::PeriodKind,
    problems: &mut Vec<Diagnostic>,
) -> (Vec<Contract>, Vec<Outline>) {
    let mut contracts = Vec::new();
    let mut broken = Vec::new();
    // Parsed on every core; collecting keeps the files' order, and so the problems'.
    let parsed: Vec<Result<Contract, Rejected>> = files
        .par_iter()
        .map(|file| {
            read_text(file)
                .map_err(|problem| Rejected {
                    problems: vec![problem],
                    outline: Outline { id: file.stem(), file: file.shown.clone(), kpis: None },
                })
                .and_then(|text| contracts::parse(&file.shown, &file.stem(), &text, kind))
        })
        .collect();
    for parsed in parsed {
        match parsed {
            Ok(contract) => contracts.push(contract),
            Err(mut rejected) => {
                problems.append(&mut rejected.problems);
                broken.push(rejected.outline);
            }
        }
    }
    if files.is_empty() {
        problems.push(Diagnostic::error(
            "contracts",
            "holds no contracts: add one file per vendor, contracts/<vendor>.yaml",
        ));
    }

    contracts.sort_by(|a, b| a.id.cmp(&b.id));
    for pair in contracts.windows(2) {
        if pair[0].id == pair[1].id {
            // Placed at the `id:` that repeats the other, when one was written.
            let (at, other) =
                if pair[1].id_at.is_none() { (&pair[0], &pair[1]) } else { (&pair[1], &pair[0]) };
            problems.push(placed_at_id(
                at,
                format!(
                    "the vendor id `{}` is also used by {}: each contract needs its own id",
                    at.id, other.file
                ),
            ));
        }
    }
    // A contract with problems keeps its id, so that a second file cannot take it unseen.
    for contract in &contracts {
        if let Some(outline) = broken.iter().find(|o| o.id == contract.id) {
            problems.push(placed_at_id(
                contract,
                format!(
                    "the vendor id `{}` is also used by {}, which has problems of its own: each contract needs its own id",
                    contract.id, outline.file
                ),
            ));
        }
    }
    (contracts, broken)
}

fn placed_at_id(contract: &Contract, message: String) -> Diagnostic {
    let mut problem = Diagnostic::error(&contract.file, message);
    if let Some((line, column)) = contract.id_at {
        problem.line = Some(line);
        problem.column = Some(column);
    }
    problem
}

fn load_exports(
    files: &[InputFile],
    order: &FileOrder,
    contracts: &[Contract],
    broken: &[Outline],
    settings: &Settings,
    report: &mut LoadReport,
    problems: &mut Vec<Diagnostic>,
) -> Measurements {
    let registry = Registry::new(contracts, broken);
    let window = Window { kind: settings.period, as_of: settings.as_of };
    let mut measurements = Measurements::default();

    // Files are read in parallel and merged in their sorted order, so the result is the same
    // however the work was shared out. They go in batches of 32 per core: enough that cores
    // rarely wait for each other at the end of a batch, few enough that the cells of files
    // read but not yet merged stay a small part of the whole. Each batch is merged while the
    // next is read, so that no core waits for the merge.
    let batch = rayon::current_num_threads() * 32;
    let mut read_before: Vec<kpi_exports::ExportRead> = Vec::new();
    for chunk in files.chunks(batch) {
        let merge =
            || merge_exports(std::mem::take(&mut read_before), &mut measurements, report, problems);
        let read = || {
            chunk
                .par_iter()
                .map(|file| kpi_exports::read(file, order.index(file), &registry, window))
                .collect()
        };
        read_before = rayon::join(read, merge).0;
    }
    merge_exports(read_before, &mut measurements, report, problems);
    measurements
}

/// Merges the files read, in their order, into the project's measurements.
fn merge_exports(
    reads: Vec<kpi_exports::ExportRead>,
    measurements: &mut Measurements,
    report: &mut LoadReport,
    problems: &mut Vec<Diagnostic>,
) {
    for read in reads {
        read.fold.merge_into(measurements, &mut report.left_out);
        problems.extend(read.problems);
        report.warnings.extend(read.warnings);
        report.files.push(read.counts);
    }
}

/// The reviews, by vendor and date; a folder must be named after a vendor with a contract.
fn load_reviews(
    files: &[InputFile],
    contracts: &[Contract],
    broken: &[String],
    problems: &mut Vec<Diagnostic>,
) -> Vec<crate::model::Review> {
    let mut found = Vec::new();
    for file in files {
        let folder = file.subfolders().first().copied().unwrap_or_default();
        let Some(vendor) = contracts.iter().position(|c| c.id == folder) else {
            if !broken.iter().any(|b| b == folder) {
                problems.push(Diagnostic::error(
                    &file.shown,
                    format!("the folder `reviews/{folder}/` names no contract: expected the id of a vendor"),
                ));
            }
            continue;
        };
        let parsed = read_text(file)
            .map_err(|d| vec![d])
            .and_then(|text| reviews::parse(file, &text, vendor, &contracts[vendor]));
        match parsed {
            Ok(review) => found.push(review),
            Err(mut found_problems) => problems.append(&mut found_problems),
        }
    }
    found.sort_by_key(|a| (a.vendor, a.date));
    found
}

fn load_templates(files: &[InputFile], problems: &mut Vec<Diagnostic>) -> Vec<TemplateOverride> {
    files
        .iter()
        .filter_map(|file| match read_text(file) {
            Ok(text) => Some(TemplateOverride {
                name: file
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                shown: file.shown.clone(),
                text,
            }),
            Err(problem) => {
                problems.push(problem);
                None
            }
        })
        .collect()
}

/// The last day of the latest period that has ended by `today` and holds a measurement, so that
/// a default build never scores a half-reported period. With no such period, the last day of the
/// period before today's.
pub fn derive_as_of(
    measurements: &Measurements,
    settings: &Settings,
    today: NaiveDate,
) -> NaiveDate {
    let current = Period::containing(settings.period, today);
    measurements
        .par_iter()
        .filter(|(key, cell)| key.period < current && cell.count() > 0)
        .map(|(key, _)| key.period)
        .max()
        .unwrap_or_else(|| current.previous())
        .last_day()
}

/// Drops the cells of periods after `as_of`, counting what they held and what is kept; and
/// says, per vendor, whether any measurement of it was read at all.
fn leave_out_after(project: &mut Project, report: &mut LoadReport) -> Vec<bool> {
    let last = Period::containing(project.settings.period, project.as_of);
    let contracts = &project.contracts;
    let mut measured = vec![false; contracts.len()];
    report.measurements = 0;
    for (vendor, counts) in project.measurements.keep_through(last) {
        measured[vendor] |= counts.kept + counts.dropped > 0;
        report.measurements += counts.kept;
        if counts.dropped > 0 {
            report.left_out.entry(contracts[vendor].id.clone()).or_default().after_as_of +=
                counts.dropped;
        }
    }
    project.surveys.retain(|key, cell| {
        if key.period <= last {
            return true;
        }
        report.survey_left_out.entry(contracts[key.vendor].id.clone()).or_default().after_as_of +=
            cell.count;
        false
    });
    for id in report.left_out.keys() {
        if let Some(vendor) = contracts.iter().position(|c| &c.id == id) {
            measured[vendor] = true;
        }
    }
    measured
}

/// A vendor of whom nothing at all was read, in a term that has begun, most likely has its
/// export missing or its id spelt otherwise in it: each of its KPIs would be missing in every
/// period and owe its credits.
fn warn_of_unmeasured(
    project: &Project,
    measured: &[bool],
    only: Option<&str>,
    report: &mut LoadReport,
) {
    for (contract, measured) in project.contracts.iter().zip(measured) {
        let begun = contract.term.start <= project.as_of;
        let shown = only.is_none_or(|id| id == contract.id);
        if !measured && begun && shown && !contract.kpis.is_empty() {
            report.warnings.push(
                Diagnostic::warning(
                    &contract.file,
                    format!(
                        "no measurement of `{}` was read from any KPI export or source: each of its KPIs is missing in every period, and a missing KPI owes its credit",
                        contract.id
                    ),
                )
                .with_help(format!(
                    "add its export under kpis/, with rows for vendor `{}`, or map it in a source of vendorcard.yaml",
                    contract.id
                )),
            );
        }
    }
}
