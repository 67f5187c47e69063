//! Finding the input files of a project, in sorted order, so that every run reads the same files
//! in the same order. Hidden files and the lock and temporary files of editors and spreadsheets
//! are skipped; any other file that is not an input is listed as ignored, never dropped unseen.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::config::SETTINGS_FILE;
use crate::diagnostics::Diagnostic;

/// The folders that hold inputs. The output folder may not lie in any of them.
pub const INPUT_FOLDERS: [&str; 5] = ["contracts", "kpis", "surveys", "reviews", "templates"];

/// One input file: where it is, and how it is named to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    /// Relative to the project folder, with `/` between parts.
    pub shown: String,
}

impl InputFile {
    /// The file name without its extension.
    pub fn stem(&self) -> String {
        self.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// The folders between `folder` and the file, such as `["acme"]` for `kpis/acme/x.csv`.
    pub fn subfolders(&self) -> Vec<&str> {
        let mut parts: Vec<&str> = self.shown.split('/').collect();
        parts.pop();
        parts.into_iter().skip(1).collect()
    }
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub settings: Option<InputFile>,
    pub contracts: Vec<InputFile>,
    pub kpi_exports: Vec<InputFile>,
    pub surveys: Vec<InputFile>,
    pub reviews: Vec<InputFile>,
    pub templates: Vec<InputFile>,
    /// What was found in input folders but is not read, and why, for the build log.
    pub ignored: Vec<(String, &'static str)>,
    /// Files and folders that could not be read; the other inputs are still read, so that one
    /// run reports every problem.
    pub problems: Vec<Diagnostic>,
}

/// The other spelling of the settings file, accepted when it is the only one.
const SETTINGS_FILE_YML: &str = "vendorcard.yml";

/// Lists the inputs of the project at `root`. Only a project without `contracts/` is refused
/// outright; every other problem is gathered in [`Discovered::problems`].
pub fn discover(root: &Path) -> Result<Discovered, Vec<Diagnostic>> {
    let mut found = Discovered::default();
    if !root.join("contracts").is_dir() {
        return Err(vec![
            Diagnostic::error(root.display().to_string(), "no `contracts/` folder here")
                .with_help("a project holds contracts/<vendor>.yaml and kpis/**/*.csv; is this the right folder?"),
        ]);
    }

    found.settings = settings_file(root, &mut found.problems);
    for file in walk(root, "contracts", &mut found) {
        if file.subfolders().is_empty() && has_extension(&file.path, &["yaml", "yml"]) {
            found.contracts.push(file);
        } else {
            found
                .ignored
                .push((file.shown, "not a contract: contracts are contracts/<vendor>.yaml"));
        }
    }
    for file in walk(root, "kpis", &mut found) {
        if has_extension(&file.path, &["csv"]) {
            found.kpi_exports.push(file);
        } else {
            found.ignored.push((file.shown, "not a KPI export: exports are kpis/**/*.csv"));
        }
    }
    for file in walk(root, "templates", &mut found) {
        if file.subfolders().is_empty() {
            found.templates.push(file);
        } else {
            found
                .ignored
                .push((file.shown, "not a template: templates sit directly in templates/"));
        }
    }
    for file in walk(root, "surveys", &mut found) {
        if has_extension(&file.path, &["csv"]) {
            found.surveys.push(file);
        } else {
            found.ignored.push((file.shown, "not a survey export: surveys are surveys/**/*.csv"));
        }
    }
    for file in walk(root, "reviews", &mut found) {
        if file.subfolders().len() == 1 && has_extension(&file.path, &["md"]) {
            found.reviews.push(file);
        } else {
            found
                .ignored
                .push((file.shown, "not a review: reviews are reviews/<vendor>/<YYYY-MM-DD>.md"));
        }
    }
    Ok(found)
}

/// A source's glob: `*` and `?` stay within one folder, as in a shell, so `exports/*.csv` does not
/// also read an archive kept in `exports/old/`; `**` crosses folders.
pub fn source_glob(text: &str) -> Result<globset::Glob, globset::Error> {
    globset::GlobBuilder::new(text).literal_separator(true).build()
}

/// The files each source's glob matches, in sorted order, anywhere in the project but in the
/// input folders, in the output folder, or in any folder vendorcard wrote.
pub fn source_files(
    root: &Path,
    globs: &[&[String]],
    output: Option<&Path>,
) -> (Vec<Vec<InputFile>>, Vec<Diagnostic>) {
    let mut matched = vec![Vec::new(); globs.len()];
    let mut problems = Vec::new();
    let matchers: Vec<Option<globset::GlobSet>> = globs
        .iter()
        .map(|list| {
            let mut set = globset::GlobSetBuilder::new();
            for glob in *list {
                set.add(source_glob(glob).ok()?);
            }
            set.build().ok()
        })
        .collect();
    if globs.is_empty() {
        return (matched, problems);
    }
    let output = output.map(crate::site::resolved);
    let entries =
        WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter().filter_entry(
            |entry| {
                if entry.depth() == 0 {
                    return true;
                }
                let name = entry.file_name().to_string_lossy();
                let input_folder = entry.depth() == 1 && INPUT_FOLDERS.contains(&name.as_ref());
                let written = entry.file_type().is_dir()
                    && (entry.path().join(crate::site::MARKER).exists()
                        || output
                            .as_ref()
                            .is_some_and(|out| crate::site::resolved(entry.path()) == *out));
                !is_skipped(&name) && !input_folder && !written
            },
        );
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let place = error.path().map_or_else(|| ".".to_owned(), |p| shown(root, p));
                problems.push(Diagnostic::error(place, format!("cannot be read: {error}")).io());
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = shown(root, entry.path());
        let wanted = matchers.iter().any(|m| m.as_ref().is_some_and(|m| m.is_match(&relative)));
        if wanted && entry.path_is_symlink() && !leads_inside(root, entry.path(), output.as_slice())
        {
            problems.push(Diagnostic::error(relative, LINK_OUT).io());
            continue;
        }
        for (files, matcher) in matched.iter_mut().zip(&matchers) {
            if matcher.as_ref().is_some_and(|m| m.is_match(&relative)) {
                files.push(InputFile { path: entry.path().to_path_buf(), shown: relative.clone() });
            }
        }
    }
    (matched, problems)
}

/// Takes out of one reader's files those that are a file already in them, reached again through
/// a link (`latest.csv` beside the export it points to): read twice, its rows would count twice.
/// Each is an error at the link.
pub fn one_file_twice(files: &mut Vec<InputFile>) -> Vec<Diagnostic> {
    let is_link =
        |f: &InputFile| f.path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
    if !files.iter().any(is_link) {
        return Vec::new();
    }
    let mut seen: HashMap<PathBuf, usize> = HashMap::new();
    let mut twice = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let identity = std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
        match seen.entry(identity) {
            Entry::Vacant(entry) => {
                entry.insert(index);
            }
            // Blame the link, which may sort before or after the file it leads to.
            Entry::Occupied(entry) if is_link(file) => twice.push((index, *entry.get())),
            Entry::Occupied(mut entry) => {
                twice.push((std::mem::replace(entry.get_mut(), index), index));
            }
        }
    }
    let problems = twice
        .iter()
        .map(|&(link, other)| {
            Diagnostic::error(
                &files[link].shown,
                format!(
                    "leads to the same file as `{}`, which is read too: its rows would count twice; remove the link, or keep it out of the files read",
                    files[other].shown
                ),
            )
        })
        .collect();
    let mut dropped: Vec<usize> = twice.into_iter().map(|(link, _)| link).collect();
    dropped.sort_unstable();
    let mut index = 0;
    files.retain(|_| {
        index += 1;
        dropped.binary_search(&(index - 1)).is_err()
    });
    problems
}

const LINK_OUT: &str = "is a link that leads out of the project, or into its output or input \
    folders, which vendorcard does not follow: copy the file into the project instead";

/// Whether a link leads to a file inside the project, and outside `excluded` folders and the
/// input folders (which only their own readers read).
fn leads_inside(root: &Path, link: &Path, excluded: &[std::path::PathBuf]) -> bool {
    let (Ok(root), Ok(target)) = (std::fs::canonicalize(root), std::fs::canonicalize(link)) else {
        return false;
    };
    let link_folder = link.parent().and_then(|p| std::fs::canonicalize(p).ok());
    let in_inputs = INPUT_FOLDERS.iter().any(|folder| {
        let input = root.join(folder);
        // A link inside an input folder may point within that same folder.
        target.starts_with(&input) && !link_folder.as_ref().is_some_and(|f| f.starts_with(&input))
    });
    target.starts_with(&root) && !in_inputs && !excluded.iter().any(|out| target.starts_with(out))
}

fn settings_file(root: &Path, problems: &mut Vec<Diagnostic>) -> Option<InputFile> {
    let present: Vec<&str> = [SETTINGS_FILE, SETTINGS_FILE_YML]
        .into_iter()
        .filter(|name| root.join(name).symlink_metadata().is_ok())
        .collect();
    match present.as_slice() {
        [] => None,
        [name] if root.join(name).is_file() => {
            Some(InputFile { path: root.join(name), shown: (*name).to_owned() })
        }
        [name] => {
            problems.push(
                Diagnostic::error(
                    *name,
                    "cannot be read: it is not a file (a folder, or a link to nothing)",
                )
                .io(),
            );
            None
        }
        _ => {
            problems.push(Diagnostic::error(
                SETTINGS_FILE_YML,
                format!("and {SETTINGS_FILE} are both here: keep one"),
            ));
            None
        }
    }
}

fn walk(root: &Path, folder: &str, found: &mut Discovered) -> Vec<InputFile> {
    let base = root.join(folder);
    if !base.exists() {
        return Vec::new();
    }
    let mut files = Vec::new();
    let entries =
        WalkDir::new(&base).follow_links(false).sort_by_file_name().into_iter().filter_entry(
            |entry| entry.depth() == 0 || !is_skipped(&entry.file_name().to_string_lossy()),
        );
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let place = error.path().map_or_else(|| folder.to_owned(), |p| shown(root, p));
                let cause = error.io_error().map_or_else(|| error.to_string(), ToString::to_string);
                found
                    .problems
                    .push(Diagnostic::error(place, format!("cannot be read: {cause}")).io());
                continue;
            }
        };
        let kind = entry.file_type();
        let name = shown(root, entry.path());
        if kind.is_dir() {
            continue;
        }
        if kind.is_file() {
            files.push(InputFile { path: entry.path().to_path_buf(), shown: name });
        } else if kind.is_symlink() {
            // A link is read as the file it points to; links to folders are not followed, so
            // that a link cannot lead discovery in circles or out of the project.
            match std::fs::metadata(entry.path()) {
                Ok(target) if target.is_file() && !leads_inside(root, entry.path(), &[]) => {
                    found.problems.push(Diagnostic::error(name, LINK_OUT).io());
                }
                Ok(target) if target.is_file() => {
                    files.push(InputFile { path: entry.path().to_path_buf(), shown: name });
                }
                Ok(target) if target.is_dir() => {
                    found.ignored.push((name, "a link to a folder, which is not followed"));
                }
                Ok(_) => found.ignored.push((name, "a link to something that is not a file")),
                Err(_) => found.problems.push(
                    Diagnostic::error(
                        name,
                        "is a link to nothing: remove it or point it at a file",
                    )
                    .io(),
                ),
            }
        } else {
            found.ignored.push((name, "not a regular file"));
        }
    }
    files
}

fn shown(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| extensions.contains(&e.as_str()))
}

/// Hidden files, and the lock and temporary files that editors and spreadsheets leave beside the
/// file they have open.
pub fn is_skipped(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("~$")
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || [".tmp", ".swp", ".bak", ".part", ".crdownload"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_and_temporary_files_are_skipped() {
        for name in [
            ".hidden.csv",
            "~$export.xlsx",
            ".~lock.export.csv#",
            "export.csv~",
            "#notes#",
            "x.csv.tmp",
        ] {
            assert!(is_skipped(name), "{name}");
        }
        for name in ["export.csv", "acme.yaml", "2026-03~draft.csv"] {
            assert!(!is_skipped(name), "{name}");
        }
    }

    #[test]
    fn subfolders_are_those_below_the_input_folder() {
        let file = InputFile {
            path: PathBuf::from("/p/kpis/acme/x.csv"),
            shown: "kpis/acme/x.csv".into(),
        };
        assert_eq!(file.subfolders(), ["acme"]);
        let file = InputFile { path: PathBuf::from("/p/kpis/x.csv"), shown: "kpis/x.csv".into() };
        assert!(file.subfolders().is_empty());
    }
}
