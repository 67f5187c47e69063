//! `vendorcard init`: a small starter project that builds at once and explains itself in
//! comments, for a new user to change into their own.

use std::fs;
use std::path::{Path, PathBuf};

use crate::Error;

/// The starter project's files, by their path below the project folder.
const STARTER: [(&str, &str); 3] = [
    ("vendorcard.yaml", include_str!("../starter/vendorcard.yaml")),
    ("contracts/acme-support.yaml", include_str!("../starter/contracts/acme-support.yaml")),
    ("kpis/acme-support.csv", include_str!("../starter/kpis/acme-support.csv")),
];

/// What a folder that already holds a project has: a starter written among them would change
/// that project.
const PROJECT_ENTRIES: [&str; 9] = [
    "vendorcard.yaml",
    "vendorcard.yml",
    "contracts",
    "kpis",
    "exports",
    "surveys",
    "reviews",
    "templates",
    "public",
];

/// Writes the starter project into `dir`, creating it when needed. Nothing is written when the
/// folder already holds any part of a project, and a write that fails takes back what it wrote.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    // `symlink_metadata` sees a link even when it leads nowhere, so nothing is written through one.
    let taken: Vec<String> = PROJECT_ENTRIES
        .iter()
        .map(|entry| dir.join(entry))
        .filter(|path| path.symlink_metadata().is_ok())
        .map(|path| path.display().to_string())
        .collect();
    if !taken.is_empty() {
        return Err(Error::Usage(format!(
            "{} already there: init writes a new project only; give a folder that holds no project",
            taken.join(", ")
        )));
    }
    if dir.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
        return Err(Error::Usage(format!(
            "{} is not a folder: give a new folder, or one that holds no project",
            dir.display()
        )));
    }

    let mut created: Vec<PathBuf> = Vec::new();
    let written = write_all(dir, &mut created);
    if let Err(error) = written {
        for path in created.iter().rev() {
            let _ = if path.is_dir() { fs::remove_dir(path) } else { fs::remove_file(path) };
        }
        return Err(Error::Usage(error));
    }
    Ok(STARTER.iter().map(|(path, _)| dir.join(path)).collect())
}

/// Writes every starter file, noting each folder and file it creates.
fn write_all(dir: &Path, created: &mut Vec<PathBuf>) -> Result<(), String> {
    for (path, text) in STARTER {
        let path = dir.join(path);
        let parent = path.parent().unwrap_or(dir);
        let mut missing: Vec<PathBuf> = parent
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
            .map(Path::to_path_buf)
            .collect();
        missing.reverse();
        for folder in missing {
            fs::create_dir(&folder)
                .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
            created.push(folder);
        }
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        created.push(path);
    }
    Ok(())
}
