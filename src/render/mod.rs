//! From scorecards to the files of the site: pages (tera), charts (plotters), JSON and CSV.
//! Nothing here reads input; every file is produced in memory and handed to `site` to write.

pub mod charts;
pub mod feedback;
pub mod format;
pub mod json;
pub mod markdown;
pub mod messages;
pub mod pages;
pub mod remedies;
pub mod tables;
pub mod templates;

use crate::diagnostics::Diagnostic;
use crate::evaluate::Evaluation;
use crate::load::TemplateOverride;
use crate::model::Project;
use templates::Templates;

/// One file of the site, by its path below the output folder (`/`-separated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl SiteFile {
    fn new(path: impl Into<String>, text: String) -> SiteFile {
        SiteFile { path: path.into(), bytes: text.into_bytes() }
    }
}

#[derive(Debug)]
pub struct Rendered {
    /// In a fixed order, so that every build writes the same files the same way.
    pub files: Vec<SiteFile>,
    pub pages: usize,
    pub charts: usize,
    pub notes: Vec<Diagnostic>,
}

pub fn render(
    project: &Project,
    evaluation: &Evaluation,
    overrides: &[TemplateOverride],
) -> Result<Rendered, Vec<Diagnostic>> {
    let templates = Templates::new(overrides)?;
    let mut files = Vec::new();
    let mut problems = Vec::new();

    match pages::portfolio(project, evaluation, &templates) {
        Ok(page) => files.push(SiteFile::new("index.html", page)),
        Err(problem) => problems.push(problem),
    }
    for card in &evaluation.scorecards {
        let id = &project.contracts[card.vendor].id;
        match pages::vendor(project, evaluation, card, &templates) {
            Ok(page) => files.push(SiteFile::new(format!("vendors/{id}/index.html"), page)),
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let pages = files.len();
    let charts = evaluation
        .scorecards
        .iter()
        .map(|card| 1 + project.contracts[card.vendor].kpis.len())
        .sum();

    files.push(SiteFile::new("data/scorecards.json", json::scorecards_json(project, evaluation)));
    files.push(SiteFile::new("data/scores.csv", tables::scores_csv(project, evaluation)));
    files.push(SiteFile::new("data/credits.csv", tables::credits_csv(project, evaluation)));
    files.push(SiteFile::new("assets/style.css", templates.style.clone()));
    Ok(Rendered { files, pages, charts, notes: templates.notes })
}
