//! The page templates and style sheet: built into the binary, each replaceable by a file of the
//! same name in the project's `templates/` folder.

use tera::{Context, ErrorKind, Tera};

use crate::diagnostics::Diagnostic;
use crate::load::TemplateOverride;

/// The built-in templates, by the name a project's file must have to replace one.
const BUILT_IN: [(&str, &str); 3] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("portfolio.html", include_str!("../../templates/portfolio.html")),
    ("vendor.html", include_str!("../../templates/vendor.html")),
];

pub const STYLE_SHEET: &str = "style.css";
const BUILT_IN_STYLE: &str = include_str!("../../templates/style.css");

/// The compiled templates and the style sheet of one build.
#[derive(Debug)]
pub struct Templates {
    tera: Tera,
    /// Each template's name, the file it was read from as shown to the user, and its text, so
    /// that a problem in it can be placed.
    sources: Vec<(String, String, String)>,
    pub style: String,
    /// Notes for the build log: which built-ins were replaced, which files were not used.
    pub notes: Vec<Diagnostic>,
}

impl Templates {
    pub fn new(overrides: &[TemplateOverride]) -> Result<Templates, Vec<Diagnostic>> {
        let mut notes = Vec::new();
        let mut sources: Vec<(String, String, String)> = BUILT_IN
            .iter()
            .map(|(name, text)| {
                ((*name).to_owned(), format!("templates/{name} (built in)"), (*text).to_owned())
            })
            .collect();
        let mut style = BUILT_IN_STYLE.to_owned();

        for file in overrides {
            if file.name == STYLE_SHEET {
                style.clone_from(&file.text);
            } else if let Some(slot) = sources.iter_mut().find(|(name, ..)| *name == file.name) {
                slot.1.clone_from(&file.shown);
                slot.2.clone_from(&file.text);
            } else {
                let known: Vec<&str> =
                    BUILT_IN.iter().map(|(n, _)| *n).chain([STYLE_SHEET]).collect();
                notes.push(Diagnostic::warning(
                    &file.shown,
                    format!(
                        "replaces no built-in template and is not used: expected one of {}",
                        known.join(", ")
                    ),
                ));
                continue;
            }
            notes.push(Diagnostic::warning(
                &file.shown,
                "replaces the built-in file of the same name",
            ));
        }

        let mut tera = Tera::new();
        tera.autoescape_on([".html"]);
        tera.add_raw_templates(
            sources.iter().map(|(name, _, text)| (name.as_str(), text.as_str())),
        )
        .map_err(|error| vec![placed(&sources, &error, "templates", "is not a valid template")])?;
        Ok(Templates { tera, sources, style, notes })
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera.render(name, context).map_err(|error| {
            placed(&self.sources, &error, &format!("templates/{name}"), "could not be rendered")
        })
    }
}

/// A template's problem at its line and column in the file it came from, where Tera knows the
/// place; otherwise at `fallback`, with Tera's whole message.
fn placed(
    sources: &[(String, String, String)],
    error: &tera::Error,
    fallback: &str,
    what: &str,
) -> Diagnostic {
    let source = |name: &str| sources.iter().find(|(known, ..)| known == name);
    let placed = match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            source(report.filename()).map(|(_, shown, text)| {
                let span = report.span();
                Diagnostic::error(shown, format!("{what}: {}", report.message())).at(
                    span.start_line as u64,
                    span.start_col as u64 + 1,
                    Some(text),
                )
            })
        }
        ErrorKind::MissingParent { current, parent } => source(current).map(|(_, shown, text)| {
            let known: Vec<&str> = sources.iter().map(|(name, ..)| name.as_str()).collect();
            let message = format!(
                "{what}: it extends `{parent}`, which is no template: expected one of {}",
                known.join(", ")
            );
            at_first_mention(Diagnostic::error(shown, message), text, parent)
        }),
        ErrorKind::Msg(report) => placed_from_report(sources, report, what),
        _ => None,
    };
    placed.unwrap_or_else(|| Diagnostic::error(fallback, format!("{what}: {}", one_line(error))))
}

/// The problem placed where `text` first names `name`, if it does.
fn at_first_mention(problem: Diagnostic, text: &str, name: &str) -> Diagnostic {
    let found = text.lines().enumerate().find_map(|(line, l)| Some((line, l.find(name)?)));
    match found {
        Some((line, column)) => problem.at(line as u64 + 1, column as u64 + 1, Some(text)),
        None => problem,
    }
}

/// A problem that Tera gives only as its report already written out (an unknown filter or an
/// unknown template to include): `error: <message>`, then ` --> <template>:<line>:<column>`.
fn placed_from_report(
    sources: &[(String, String, String)],
    report: &str,
    what: &str,
) -> Option<Diagnostic> {
    let mut lines = report.lines();
    let message = lines.next()?.strip_prefix("error: ")?;
    let place = lines.next()?.trim().strip_prefix("--> ")?;
    let mut parts = place.rsplitn(3, ':');
    let column: u64 = parts.next()?.parse().ok()?;
    let line: u64 = parts.next()?.parse().ok()?;
    let name = parts.next()?;
    let (_, shown, text) = sources.iter().find(|(known, ..)| known == name)?;
    Some(Diagnostic::error(shown, format!("{what}: {message}")).at(line, column, Some(text)))
}

/// Tera's error and its causes on one line, joined with `: `.
fn one_line(error: &tera::Error) -> String {
    let mut text: String = error.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
