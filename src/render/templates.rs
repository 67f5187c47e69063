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
    let report = match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => Some(report),
        _ => None,
    };
    let source = report.and_then(|report| {
        let (_, shown, text) = sources.iter().find(|(name, ..)| name == report.filename())?;
        Some((report, shown, text))
    });
    match source {
        Some((report, shown, text)) => {
            let span = report.span();
            Diagnostic::error(shown, format!("{what}: {}", report.message())).at(
                span.start_line as u64,
                span.start_col as u64 + 1,
                Some(text),
            )
        }
        None => Diagnostic::error(fallback, format!("{what}: {}", one_line(error))),
    }
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
