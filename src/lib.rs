//! vendorcard turns a folder of outsourcing contracts (YAML) and KPI exports (CSV) into a static
//! site of vendor scorecards. The pipeline runs one way: load → evaluate → render → write.

pub mod ci;
pub mod config;
pub mod diagnostics;
pub mod evaluate;
pub mod gates;
pub mod init;
pub mod load;
pub mod model;
pub mod render;
pub mod site;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;

use diagnostics::{Diagnostic, plural};
use evaluate::Evaluation;
use gates::Gate;
use load::{LoadReport, Loaded};

/// What a build is asked to do.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub project: PathBuf,
    /// The output folder; `<project>/public` when not given, or `<project>/vendor-sites/<id>`
    /// for a vendor's site, so that it never replaces the portfolio by accident.
    pub out: Option<PathBuf>,
    /// The day the site is built for: deadlines and evidence are judged against it.
    pub today: NaiveDate,
    /// Replace an output folder that vendorcard did not write.
    pub force: bool,
    /// Where the site will be hosted, replacing `base_url` in the settings.
    pub base_url: Option<String>,
    /// Write the site of this vendor alone, safe to send to them.
    pub vendor: Option<String>,
    /// Conditions that fail the run (exit code 3) once the site is written.
    pub gates: Vec<Gate>,
}

impl BuildOptions {
    pub fn out(&self) -> PathBuf {
        match (&self.out, &self.vendor) {
            (Some(out), _) => out.clone(),
            (None, Some(vendor)) => self.project.join("vendor-sites").join(vendor),
            (None, None) => self.project.join("public"),
        }
    }
}

/// Why a run failed, and so its exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The inputs have problems; every one found is listed.
    #[error("{} in the inputs", plural(.0.iter().filter(|p| p.severity == diagnostics::Severity::Error).map(|p| 1 + p.unlisted).sum::<u64>(), "problem"))]
    Invalid(Vec<Diagnostic>),
    #[error("`{}` is not a folder: give the project folder, the one that holds contracts/", .0.display())]
    NoProject(PathBuf),
    /// An argument that cannot be used.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Site(#[from] site::SiteError),
}

impl Error {
    /// 1 for invalid input, 2 for usage and I/O errors (see the README).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid(problems) if problems.iter().any(|p| p.io) => 2,
            Error::Invalid(_) => 1,
            Error::NoProject(_) | Error::Usage(_) | Error::Site(_) => 2,
        }
    }
}

/// The stages of a build, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Load,
    Evaluate,
    Render,
    Write,
}

/// Where a run reports its progress: one line per stage, and the warnings.
pub trait Progress {
    fn stage(&mut self, line: &str);
    fn warning(&mut self, warning: &Diagnostic);
    /// How long a stage took, for whoever measures them; the line says it too.
    fn timing(&mut self, _stage: Stage, _elapsed: std::time::Duration) {}
}

/// What a successful build or check did.
#[derive(Debug)]
pub struct Summary {
    pub evaluation: Evaluation,
    pub line: String,
    /// The gates that tripped; the run fails when there is any.
    pub tripped: Vec<gates::Tripped>,
    /// The markdown a CI job shows on its run page.
    pub step_summary: String,
}

impl Summary {
    fn new(loaded: &Loaded, evaluation: Evaluation, gates: &[Gate]) -> Summary {
        let project = &loaded.project;
        let tripped = gates::tripped(gates, project, &evaluation);
        Summary {
            line: summary_line(loaded, &evaluation),
            step_summary: render::step_summary::step_summary(project, &evaluation, &tripped),
            tripped,
            evaluation,
        }
    }
}

/// Builds the site: load, evaluate, render, then write the output folder whole.
pub fn build(options: &BuildOptions, progress: &mut dyn Progress) -> Result<Summary, Error> {
    // The folder is written where the path leads: `public/sub/..` is `public`, and a link is
    // followed to the folder it names. The path as given is what the log shows.
    let shown = options.out();
    let out = site::resolved(&shown);
    site::check_output_folder(&options.project, &out)?;

    let loaded = timed(
        progress,
        Stage::Load,
        || load_project(&options.project, options.today, &out, options.vendor.as_deref()),
        |l| loaded_line(&l.report),
    )?;
    report_load(&loaded.report, &loaded.project, progress);
    gates::check_gates(&options.gates, &loaded.project).map_err(Error::Usage)?;

    let mut loaded = loaded;
    // The settings' `base_url` is where the buyer's portfolio is hosted. A vendor's site is
    // hosted elsewhere, and must not claim the portfolio's address (which lists every vendor)
    // as its own: it has an address only when `--base-url` gives one.
    if options.vendor.is_some() {
        loaded.project.settings.base_url = None;
    }
    if let Some(url) = &options.base_url {
        loaded.project.settings.base_url = config::normalise_base_url(url).map_err(Error::Usage)?;
    }

    let mut evaluation = timed(
        progress,
        Stage::Evaluate,
        || Ok(evaluate::evaluate(&loaded.project, options.today)),
        evaluated_line,
    )?;
    let audience = match &options.vendor {
        None => render::Audience::Buyer,
        Some(id) => {
            let contracts = &loaded.project.contracts;
            if !contracts.iter().any(|c| &c.id == id) {
                let ids: Vec<&str> = contracts.iter().map(|c| c.id.as_str()).collect();
                return Err(Error::Usage(format!(
                    "no contract has the vendor id `{id}`: expected one of {}",
                    ids.join(", ")
                )));
            }
            evaluation.scorecards.retain(|card| &contracts[card.vendor].id == id);
            render::Audience::Vendor
        }
    };

    // The new site is assembled beside the old one and swapped in whole, so that a failed
    // build leaves the previous site as it was.
    let site_of = match &options.vendor {
        None => site::SiteOf::Portfolio,
        Some(id) => site::SiteOf::Vendor(id.clone()),
    };
    let staging = site::Staging::begin(&out, site_of, options.force)?;
    let rendered = timed(
        progress,
        Stage::Render,
        || render_to(&loaded, &evaluation, audience, &staging),
        |r| format!("rendered {}, {}", plural(r.pages, "page"), plural(r.charts, "chart")),
    )?;
    for note in &rendered.notes {
        progress.warning(note);
    }

    timed(
        progress,
        Stage::Write,
        || staging.finish().map_err(Error::from),
        |w| {
            let cleared = match w.cleared {
                0 => String::new(),
                n => format!("; removed {} left beside it by stopped builds", plural(n, "folder")),
            };
            format!(
                "wrote {}, {} to {}{cleared}",
                plural(w.files, "file"),
                size(w.bytes),
                shown.display()
            )
        },
    )?;

    Ok(Summary::new(&loaded, evaluation, &options.gates))
}

/// Validates the project and works out every number without writing anything.
pub fn check(
    project: &Path,
    today: NaiveDate,
    gates: &[Gate],
    progress: &mut dyn Progress,
) -> Result<Summary, Error> {
    // The folder a build would write is not read here either.
    let out = site::resolved(&project.join("public"));
    let loaded = timed(
        progress,
        Stage::Load,
        || load_project(project, today, &out, None),
        |l| loaded_line(&l.report),
    )?;
    report_load(&loaded.report, &loaded.project, progress);
    gates::check_gates(gates, &loaded.project).map_err(Error::Usage)?;
    let evaluation = timed(
        progress,
        Stage::Evaluate,
        || Ok(evaluate::evaluate(&loaded.project, today)),
        evaluated_line,
    )?;
    let rendered = render_to(&loaded, &evaluation, render::Audience::Buyer, &render::Discard)?;
    for note in &rendered.notes {
        progress.warning(note);
    }
    Ok(Summary::new(&loaded, evaluation, gates))
}

fn render_to(
    loaded: &Loaded,
    evaluation: &Evaluation,
    audience: render::Audience,
    sink: &dyn render::Sink,
) -> Result<render::Rendered, Error> {
    render::render(&loaded.project, evaluation, &loaded.templates, audience, sink).map_err(
        |failed| match failed {
            render::Failed::Pages(problems) => Error::Invalid(problems),
            render::Failed::Write(error) => Error::Site(error),
        },
    )
}

fn load_project(
    project: &Path,
    today: NaiveDate,
    out: &Path,
    only: Option<&str>,
) -> Result<Loaded, Error> {
    if !project.is_dir() {
        return Err(Error::NoProject(project.to_path_buf()));
    }
    load::load(project, today, Some(out), only).map_err(Error::Invalid)
}

/// Runs one stage and reports its line with the time it took.
fn timed<T>(
    progress: &mut dyn Progress,
    stage: Stage,
    work: impl FnOnce() -> Result<T, Error>,
    line: impl FnOnce(&T) -> String,
) -> Result<T, Error> {
    let started = Instant::now();
    let result = work()?;
    let elapsed = started.elapsed();
    progress.timing(stage, elapsed);
    progress.stage(&format!("{} ({} ms)", line(&result), elapsed.as_millis()));
    Ok(result)
}

fn loaded_line(report: &LoadReport) -> String {
    let rows: u64 = report.files.iter().map(|f| f.rows).sum::<u64>()
        + report.sources.iter().map(|s| s.rows).sum::<u64>();
    let mut sources = String::new();
    if !report.sources.is_empty() {
        sources.push_str(&format!(", {}", plural(report.sources.len(), "source")));
    }
    if report.survey_answers > 0 {
        sources.push_str(&format!(", {}", plural(report.survey_answers, "survey answer")));
    }
    if report.reviews > 0 {
        sources.push_str(&format!(", {}", plural(report.reviews, "review")));
    }
    format!(
        "loaded {}, {}{sources}: {}, {} used",
        plural(report.contracts, "contract"),
        plural(report.files.len(), "KPI export"),
        plural(rows, "row"),
        plural(report.measurements, "measurement")
    )
}

/// Tells what was read but not used, so that nothing is dropped unseen.
fn report_load(report: &LoadReport, project: &model::Project, progress: &mut dyn Progress) {
    for warning in &report.warnings {
        progress.warning(warning);
    }
    // A warning, so that CI shows it: a file left in an input folder was most likely meant to
    // be read, and an export not read leaves its KPIs missing.
    for (file, why) in &report.ignored_files {
        let mut warning = Diagnostic::warning(file.as_str(), format!("is not read: {why}"));
        if file.starts_with("kpis/") && load::tables::is_spreadsheet(Path::new(file)) {
            warning = warning.with_help(
                "a spreadsheet goes into exports/ and is mapped under `sources:` in vendorcard.yaml (see docs/sources.md); or save it as CSV",
            );
        }
        progress.warning(&warning);
    }
    if !report.reviews_after_today.is_empty() {
        progress.stage(&format!(
            "left out {} dated after today: {}",
            plural(report.reviews_after_today.len(), "review"),
            report.reviews_after_today.join(", ")
        ));
    }
    if !report.disputes_after_today.is_empty() {
        progress.stage(&format!(
            "left out {} raised after today: {}",
            plural(report.disputes_after_today.len(), "dispute"),
            report.disputes_after_today.join(", ")
        ));
    }
    for source in &report.sources {
        progress.stage(&source.line());
        for warning in &source.warnings {
            progress.warning(&Diagnostic::warning("vendorcard.yaml", warning.clone()));
        }
    }
    for counts in &report.files {
        let file = &counts.file;
        if counts.rows == 0 {
            // A warning, so that CI shows it: the file's KPIs may go missing for want of rows.
            let message = "holds a header only: no rows were read from it";
            progress.warning(&Diagnostic::warning(file.as_str(), message));
        }
        if counts.blank_rows > 0 {
            progress
                .stage(&format!("skipped {} in {file}", plural(counts.blank_rows, "blank row")));
        }
        if counts.empty_values > 0 {
            progress.stage(&format!(
                "skipped {} with an empty value in {file}",
                plural(counts.empty_values, "row")
            ));
        }
        if counts.unnamed_values > 0 {
            let values = plural(counts.unnamed_values, "value");
            progress
                .stage(&format!("ignored {values} in columns of {file} whose header has no name"));
        }
    }
    let mut after: BTreeMap<&str, u64> = BTreeMap::new();
    let mut outside: BTreeMap<&str, u64> = BTreeMap::new();
    let mut excluded: BTreeMap<&str, u64> = BTreeMap::new();
    let mut transition: BTreeMap<&str, u64> = BTreeMap::new();
    for (vendor, left_out) in &report.left_out {
        if left_out.in_transition > 0 {
            transition.insert(vendor, left_out.in_transition);
        }
        if left_out.in_exclusions > 0 {
            excluded.insert(vendor, left_out.in_exclusions);
        }
        if left_out.after_as_of > 0 {
            after.insert(vendor, left_out.after_as_of);
        }
        if left_out.outside_term > 0 {
            outside.insert(vendor, left_out.outside_term);
        }
    }
    let derived =
        if report.as_of_derived { " (the last period that has ended and holds data)" } else { "" };
    if !after.is_empty() {
        progress.stage(&format!(
            "left out measurements dated after as_of {}{derived}: {}",
            project.as_of,
            counted(&after)
        ));
    }
    if !outside.is_empty() {
        progress.stage(&format!(
            "left out measurements dated outside the contract term: {}",
            counted(&outside)
        ));
    }
    if !transition.is_empty() {
        progress.stage(&format!(
            "left out measurements dated before service levels apply, in the period they start: {}",
            counted(&transition)
        ));
    }
    let survey_after: BTreeMap<&str, u64> = report
        .survey_left_out
        .iter()
        .filter(|(_, l)| l.after_as_of > 0)
        .map(|(v, l)| (v.as_str(), l.after_as_of))
        .collect();
    let survey_outside: BTreeMap<&str, u64> = report
        .survey_left_out
        .iter()
        .filter(|(_, l)| l.outside_term > 0)
        .map(|(v, l)| (v.as_str(), l.outside_term))
        .collect();
    if !survey_after.is_empty() {
        progress.stage(&format!(
            "left out survey answers dated after as_of {}: {}",
            project.as_of,
            counted(&survey_after)
        ));
    }
    if !survey_outside.is_empty() {
        progress.stage(&format!(
            "left out survey answers dated outside the contract term: {}",
            counted(&survey_outside)
        ));
    }
    if !excluded.is_empty() {
        progress.stage(&format!(
            "left out measurements in the contracts' agreed exclusions: {}",
            counted(&excluded)
        ));
    }
}

fn counted(by_vendor: &BTreeMap<&str, u64>) -> String {
    by_vendor
        .iter()
        .map(|(vendor, count)| format!("{vendor} {count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn evaluated_line(evaluation: &Evaluation) -> String {
    let periods: usize = evaluation.scorecards.iter().map(|c| c.periods.len()).sum();
    format!(
        "evaluated {}, {} as of {} (headline period {})",
        plural(evaluation.scorecards.len(), "vendor"),
        plural(periods, "vendor-period"),
        evaluation.as_of,
        evaluation.period
    )
}

fn summary_line(loaded: &Loaded, evaluation: &Evaluation) -> String {
    let grades = &loaded.project.settings.grades;
    let mut counts = vec![0usize; grades.len()];
    let mut unscored = 0;
    let mut alerts = 0;
    let mut high = 0;
    for card in &evaluation.scorecards {
        match card.current(evaluation.period).and_then(|p| p.grade) {
            Some(grade) => counts[grade] += 1,
            None => unscored += 1,
        }
        alerts += card.alerts.len();
        high +=
            card.alerts.iter().filter(|a| a.severity == evaluate::alerts::Severity::High).count();
    }
    let mut graded: Vec<String> =
        grades.iter().zip(&counts).map(|(g, n)| format!("{} {n}", g.grade)).collect();
    if unscored > 0 {
        graded.push(format!("no score {unscored}"));
    }
    format!(
        "{} as of {}: grades {}; {} ({high} high)",
        plural(evaluation.scorecards.len(), "vendor"),
        evaluation.as_of,
        graded.join(", "),
        plural(alerts, "alert")
    )
}

fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss, reason = "an approximate size for a log line")]
    let kib = bytes as f64 / 1024.0;
    if kib < 1024.0 { format!("{kib:.0} KiB") } else { format!("{:.1} MiB", kib / 1024.0) }
}
