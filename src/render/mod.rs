//! From scorecards to the files of the site: pages (tera), charts (plotters), JSON and CSV.
//! Nothing here reads input; each file is made in memory and handed at once to a `Sink`.

pub mod charts;
pub mod feedback;
pub mod format;
pub mod json;
pub mod markdown;
pub mod messages;
pub mod other_vendors;
pub mod pages;
pub mod portfolio;
pub mod remedies;
pub mod step_summary;
pub mod tables;
pub mod templates;

use std::io;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::evaluate::periods::Period;
use crate::evaluate::{Evaluation, Scorecard};
use crate::load::TemplateOverride;
use crate::model::Project;
use crate::site::{SiteError, Staging};
use templates::Templates;

/// Where rendered files go, as soon as each is made, so that a build never holds the whole site
/// in memory. Files arrive from several threads at once, by their `/`-separated path below the
/// output folder.
pub trait Sink: Sync {
    /// Writes the file at `path` with what `fill` writes.
    fn write(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), SiteError>;

    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), SiteError> {
        self.write(path, &mut |out| out.write_all(bytes))
    }
}

/// A sink that keeps nothing, for a check that renders every page but writes none.
#[derive(Debug)]
pub struct Discard;

impl Sink for Discard {
    fn write(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), SiteError> {
        // Still made in full, so that a check meets every problem a build would.
        fill(&mut io::sink()).map_err(|source| SiteError::Io { path: path.into(), source })
    }
}

impl Sink for Staging {
    fn write(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), SiteError> {
        Staging::write(self, path, fill)
    }
}

/// What rendering made, once every file is in the sink.
#[derive(Debug)]
pub struct Rendered {
    pub pages: usize,
    pub charts: usize,
    pub notes: Vec<Diagnostic>,
}

/// Why rendering stopped.
#[derive(Debug)]
pub enum Failed {
    /// Pages that a template could not render, every one found.
    Pages(Vec<Diagnostic>),
    /// A file that could not be written.
    Write(SiteError),
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

/// A file of figures for machines, written as it is made.
type DataFile = fn(&Project, &Evaluation, &mut dyn io::Write) -> io::Result<()>;

/// One page to render, by the folder it is the index of.
enum Page<'a> {
    Portfolio(Option<Period>),
    Vendor(&'a Scorecard),
}

pub fn render(
    project: &Project,
    evaluation: &Evaluation,
    overrides: &[TemplateOverride],
    audience: Audience,
    sink: &dyn Sink,
) -> Result<Rendered, Failed> {
    let templates = Templates::new(overrides).map_err(Failed::Pages)?;
    let pages = pages_of(project, evaluation, audience);

    // Pages are independent, so they are rendered on every core; each is written and dropped
    // as soon as it is made. The files of figures, one long task, are made beside them.
    let (outcomes, data) = rayon::join(
        || -> Vec<Result<Vec<Diagnostic>, Failed>> {
            pages
                .par_iter()
                .map(|(path, page)| {
                    let text = match page {
                        Page::Portfolio(at) => {
                            portfolio::portfolio(project, evaluation, &templates, *at)
                        }
                        Page::Vendor(card) => {
                            pages::vendor(project, evaluation, card, &templates, path)
                        }
                    };
                    let text = text.map_err(|problem| Failed::Pages(vec![problem]))?;
                    let notes = match (audience, page) {
                        (Audience::Vendor, Page::Vendor(card)) => {
                            other_vendors::named_on_own_site(project, card)
                        }
                        _ => Vec::new(),
                    };
                    sink.put(&format!("{path}index.html"), text.as_bytes())
                        .map_err(Failed::Write)?;
                    Ok(notes)
                })
                .collect()
        },
        || data_files(project, evaluation, sink),
    );

    // Collecting kept the problems in the order of the pages.
    let mut problems = Vec::new();
    let mut notes = templates.notes.clone();
    for outcome in outcomes {
        match outcome {
            Ok(found) => notes.extend(found),
            Err(Failed::Pages(found)) => problems.extend(found),
            Err(write) => return Err(write),
        }
    }
    if !problems.is_empty() {
        return Err(Failed::Pages(problems));
    }
    data.map_err(Failed::Write)?;
    sink.put("assets/style.css", templates.style.as_bytes()).map_err(Failed::Write)?;
    if let Some(base) = &project.settings.base_url {
        let paths: Vec<&str> = pages.iter().map(|(path, _)| path.as_str()).collect();
        sink.put("sitemap.xml", sitemap(base, &paths).as_bytes()).map_err(Failed::Write)?;
    }

    let charts = evaluation
        .scorecards
        .iter()
        .map(|card| 1 + project.contracts[card.vendor].kpis.len())
        .sum();
    Ok(Rendered { pages: pages.len(), charts, notes })
}

/// The files of figures for machines: every number of the site, as JSON and as CSV.
fn data_files(
    project: &Project,
    evaluation: &Evaluation,
    sink: &dyn Sink,
) -> Result<(), SiteError> {
    let data: [(&str, DataFile); 3] = [
        ("data/scorecards.json", json::scorecards_json),
        ("data/scores.csv", tables::scores_csv),
        ("data/credits.csv", tables::credits_csv),
    ];
    for (path, make) in data {
        sink.write(path, &mut |out| make(project, evaluation, out))?;
    }
    Ok(())
}

/// The pages of the site in a fixed order, the order of the sitemap.
fn pages_of<'a>(
    project: &Project,
    evaluation: &'a Evaluation,
    audience: Audience,
) -> Vec<(String, Page<'a>)> {
    match audience {
        Audience::Buyer => {
            let mut pages = vec![(String::new(), Page::Portfolio(None))];
            for period in portfolio::periods(evaluation) {
                pages.push((format!("periods/{period}/"), Page::Portfolio(Some(period))));
            }
            for card in &evaluation.scorecards {
                let path = format!("vendors/{}/", project.contracts[card.vendor].id);
                pages.push((path, Page::Vendor(card)));
            }
            pages
        }
        Audience::Vendor => {
            evaluation.scorecards.iter().map(|card| (String::new(), Page::Vendor(card))).collect()
        }
    }
}

/// `sitemap.xml`: the absolute address of every page written, for a site whose base URL is
/// known.
fn sitemap(base: &str, paths: &[&str]) -> String {
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
