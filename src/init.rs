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

/// Writes the starter project into `dir`, creating it when needed. Nothing is written when any
/// of its files is there already, so a project is never overwritten.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let paths: Vec<PathBuf> = STARTER.iter().map(|(path, _)| dir.join(path)).collect();
    let taken: Vec<String> =
        paths.iter().filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
    if !taken.is_empty() {
        return Err(Error::Usage(format!(
            "{} already there; init writes a new project only: give an empty or new folder",
            taken.join(", ")
        )));
    }

    for ((_, text), path) in STARTER.iter().zip(&paths) {
        let written =
            path.parent().map_or(Ok(()), fs::create_dir_all).and_then(|()| fs::write(path, text));
        if let Err(error) = written {
            return Err(Error::Usage(format!("cannot write {}: {error}", path.display())));
        }
    }
    Ok(paths)
}
