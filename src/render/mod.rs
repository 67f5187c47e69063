//! From scorecards to the files of the site: pages (tera), charts (plotters), JSON and CSV.
//! Nothing here reads input; every file is produced in memory and handed to `site` to write.

pub mod charts;
pub mod feedback;
pub mod format;
pub mod json;
pub mod markdown;
pub mod messages;
pub mod pages;
pub mod portfolio;
pub mod remedies;
pub mod step_summary;
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

/// Who a site is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// The buyer: the portfolio, every vendor's page, every period's page.
    Buyer,
    /// One vendor, whose evaluation holds its scorecard alone: that scorecard is the index
    /// page, and no file names, counts or describes another vendor.
    Vendor,
}

pub fn render(
    project: &Project,
    evaluation: &Evaluation,
    overrides: &[TemplateOverride],
    audience: Audience,
) -> Result<Rendered, Vec<Diagnostic>> {
    let templates = Templates::new(overrides)?;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut paths = Vec::new();

    let mut page = |path: String, rendered: Result<String, Diagnostic>| match rendered {
        Ok(text) => {
            files.push(SiteFile::new(format!("{path}index.html"), text));
            paths.push(path);
        }
        Err(problem) => problems.push(problem),
    };
    match audience {
        Audience::Buyer => {
            page(String::new(), portfolio::portfolio(project, evaluation, &templates, None));
            for period in portfolio::periods(evaluation) {
                page(
                    format!("periods/{period}/"),
                    portfolio::portfolio(project, evaluation, &templates, Some(period)),
                );
            }
            for card in &evaluation.scorecards {
                let path = format!("vendors/{}/", project.contracts[card.vendor].id);
                page(path.clone(), pages::vendor(project, evaluation, card, &templates, &path));
            }
        }
        Audience::Vendor => {
            for card in &evaluation.scorecards {
                page(String::new(), pages::vendor(project, evaluation, card, &templates, ""));
            }
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
    if let Some(base) = &project.settings.base_url {
        files.push(SiteFile::new("sitemap.xml", sitemap(base, &paths)));
    }
    Ok(Rendered { files, pages, charts, notes: templates.notes })
}

/// `sitemap.xml`: the absolute address of every page written, for a site whose base URL is
/// known.
fn sitemap(base: &str, paths: &[String]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths {
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            format::escape(&format!("{base}{path}"))
        ));
    }
    xml.push_str("</urlset>\n");
    xml
}
