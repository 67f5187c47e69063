//! The output folder. A new site is assembled in a folder beside it and swapped in whole, so a
//! failed build leaves the previous site as it was. A folder vendorcard did not write is never
//! replaced without `--force`, and the output may not be, or lie in, the project's inputs.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::load::discover::INPUT_FOLDERS;

/// The file that marks a folder as written by vendorcard, and records whose site it holds.
pub const MARKER: &str = ".vendorcard-site";
const MARKER_TEXT: &str =
    "This folder is written by vendorcard and replaced whole on every build.\n";

/// Whose site a folder holds. A folder kept for one vendor is sent to that vendor, so the
/// portfolio, or another vendor's site, is never written over it without `--force`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SiteOf {
    Portfolio,
    Vendor(String),
}

impl SiteOf {
    fn marker_line(&self) -> String {
        match self {
            SiteOf::Portfolio => "site: portfolio\n".to_owned(),
            SiteOf::Vendor(id) => format!("site: vendor {id}\n"),
        }
    }

    /// What a marker says, if it says it; markers of earlier versions do not.
    fn recorded(marker: &str) -> Option<SiteOf> {
        let line = marker.lines().find_map(|line| line.strip_prefix("site: "))?;
        match line.split_once(' ') {
            None if line == "portfolio" => Some(SiteOf::Portfolio),
            Some(("vendor", id)) => Some(SiteOf::Vendor(id.to_owned())),
            _ => None,
        }
    }
}

impl std::fmt::Display for SiteOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SiteOf::Portfolio => f.write_str("the portfolio"),
            SiteOf::Vendor(id) => write!(f, "the site of vendor `{id}` alone"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("the output folder `{0}` is the project folder: choose another with --out")]
    IsProject(PathBuf),
    #[error(
        "the output folder `{out}` lies inside the input folder `{input}`: choose another with --out"
    )]
    InsideInputs { out: PathBuf, input: PathBuf },
    #[error(
        "the output folder `{0}` holds the project: replacing it would delete the inputs; choose another with --out"
    )]
    HoldsProject(PathBuf),
    #[error(
        "`{0}` holds files that vendorcard did not write: empty it, choose another --out, or pass --force to replace it"
    )]
    Foreign(PathBuf),
    #[error(
        "`{out}` holds {was}; writing {now} over it could send one reader what is meant for another: choose another --out, or pass --force to replace it"
    )]
    OtherSite { out: PathBuf, was: SiteOf, now: SiteOf },
    #[error(
        "`{out}` lies inside `{site}`, a site vendorcard wrote, which may be sent to a reader of its own and is replaced whole by its next build: choose another --out, or pass --force"
    )]
    InsideSite { out: PathBuf, site: PathBuf },
    #[error("`{0}` is a file, not a folder: choose another --out")]
    NotAFolder(PathBuf),
    #[error("cannot write `{path}`: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> SiteError + '_ {
    move |source| SiteError::Io { path: path.to_path_buf(), source }
}

/// Resolves `path` as far as it exists, so that `a/../b` and links are compared and written as
/// what they are.
pub fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        match component {
            // As the system does: `..` leaves the folder a link led to, not the link.
            Component::ParentDir => {
                resolved.pop();
            }
            Component::CurDir => {}
            other => {
                resolved.push(other);
                if let Ok(real) = fs::canonicalize(&resolved) {
                    resolved = real;
                }
            }
        }
    }
    resolved
}

/// Refuses an output folder that is the project, holds it, or lies in one of its input folders.
pub fn check_output_folder(project: &Path, out: &Path) -> Result<(), SiteError> {
    let project = resolved(project);
    let out_resolved = resolved(out);
    if out_resolved == project {
        return Err(SiteError::IsProject(out.to_path_buf()));
    }
    if project.starts_with(&out_resolved) {
        return Err(SiteError::HoldsProject(out.to_path_buf()));
    }
    for folder in INPUT_FOLDERS {
        let input = project.join(folder);
        if out_resolved.starts_with(&input) {
            return Err(SiteError::InsideInputs {
                out: out.to_path_buf(),
                input: PathBuf::from(folder),
            });
        }
    }
    Ok(())
}

/// What was written.
#[derive(Debug)]
pub struct Written {
    pub files: usize,
    pub bytes: u64,
    /// Folders left beside the output by builds that were stopped, removed after this one.
    pub cleared: usize,
}

/// The prefixes of the folders a build makes beside the output: the new site as it is
/// assembled, and the old one on its way out.
const STAGING_PREFIX: &str = ".vendorcard-new-";
const OLD_PREFIX: &str = ".vendorcard-old-";
/// The random letters and digits after either prefix.
const RANDOM_LETTERS: usize = 6;

/// How long such a folder may stand before it is taken for one left by a build that was
/// stopped: far longer than any build takes, so that a build running beside this one keeps its
/// own.
const LEFT_BEHIND: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// A new site being assembled beside the output folder. Files are written into it as they are
/// rendered, from any thread, so that a build never holds the whole site in memory; `finish`
/// swaps it in whole, and dropping it unfinished removes it, leaving the previous site as it was.
#[derive(Debug)]
pub struct Staging {
    folder: tempfile::TempDir,
    out: PathBuf,
    parent: PathBuf,
    replacing: bool,
    of: SiteOf,
    files: AtomicUsize,
    bytes: AtomicU64,
}

impl Staging {
    /// Checks that `out` may be replaced by the site `of` and opens a staging folder beside it.
    pub fn begin(out: &Path, of: SiteOf, force: bool) -> Result<Staging, SiteError> {
        let replacing = prepare(out, &of, force)?;
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(io_error(parent))?;
        let folder = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .rand_bytes(RANDOM_LETTERS)
            .tempdir_in(parent)
            .map_err(io_error(parent))?;
        Ok(Staging {
            folder,
            out: out.to_path_buf(),
            parent: parent.to_path_buf(),
            replacing,
            of,
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
        })
    }

    /// Writes one file of the site, by its `/`-separated path below the output folder, with
    /// what `fill` writes.
    pub fn write(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), SiteError> {
        let path = self.folder.path().join(path);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(io_error(folder))?;
        }
        let file = fs::File::create(&path).map_err(io_error(&path))?;
        let mut out = io::BufWriter::new(file);
        fill(&mut out).and_then(|()| out.flush()).map_err(io_error(&path))?;
        let length = out.get_ref().metadata().map_err(io_error(&path))?.len();
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(length, Ordering::Relaxed);
        Ok(())
    }

    /// Marks the new site as vendorcard's and puts it in place of the old one.
    pub fn finish(self) -> Result<Written, SiteError> {
        let marker = self.folder.path().join(MARKER);
        let text = format!("{MARKER_TEXT}{}", self.of.marker_line());
        fs::write(&marker, text).map_err(io_error(&marker))?;
        let (files, bytes) = (self.files.into_inner(), self.bytes.into_inner());
        swap_in(self.folder, &self.out, &self.parent, self.replacing)?;
        let cleared = clear_left_behind(&self.parent, std::time::SystemTime::now());
        Ok(Written { files, bytes, cleared })
    }
}

/// Removes the folders that builds stopped midway (killed, or the machine shut down) left
/// beside the output, which no later build would otherwise ever remove; returns how many.
fn clear_left_behind(parent: &Path, now: std::time::SystemTime) -> usize {
    let Ok(entries) = fs::read_dir(parent) else { return 0 };
    let mut cleared = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Exactly as a build names them, a prefix and random letters or digits, so that a
        // folder of someone's own that happens to start alike is kept.
        let random = name.strip_prefix(STAGING_PREFIX).or_else(|| name.strip_prefix(OLD_PREFIX));
        let named =
            |r: &str| r.len() == RANDOM_LETTERS && r.bytes().all(|b| b.is_ascii_alphanumeric());
        if !random.is_some_and(named) {
            continue;
        }
        // `DirEntry::metadata` does not follow a link, so only real folders are removed.
        let Ok(metadata) = entry.metadata() else { continue };
        let age = metadata.modified().ok().and_then(|at| now.duration_since(at).ok());
        if metadata.is_dir()
            && age.is_some_and(|age| age > LEFT_BEHIND)
            && fs::remove_dir_all(entry.path()).is_ok()
        {
            cleared += 1;
        }
    }
    cleared
}

/// Whether `out` exists and may be replaced by the site `of`.
fn prepare(out: &Path, of: &SiteOf, force: bool) -> Result<bool, SiteError> {
    let whole = resolved(out);
    let inside = whole.ancestors().skip(1).find(|folder| folder.join(MARKER).is_file());
    if let Some(site) = inside.filter(|_| !force) {
        return Err(SiteError::InsideSite { out: out.to_path_buf(), site: site.to_path_buf() });
    }
    let metadata = match fs::symlink_metadata(out) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(SiteError::Io { path: out.to_path_buf(), source: error }),
    };
    if !metadata.is_dir() {
        return Err(SiteError::NotAFolder(out.to_path_buf()));
    }
    let empty = fs::read_dir(out).map_err(io_error(out))?.next().is_none();
    let marker = out.join(MARKER);
    if !empty && !marker.is_file() && !force {
        return Err(SiteError::Foreign(out.to_path_buf()));
    }
    let was = fs::read_to_string(&marker).ok().and_then(|text| SiteOf::recorded(&text));
    if let Some(was) = was.filter(|was| was != of && !force) {
        return Err(SiteError::OtherSite { out: out.to_path_buf(), was, now: of.clone() });
    }
    Ok(true)
}

/// Moves the old site aside, the new one in, and only then deletes the old one.
fn swap_in(
    staging: tempfile::TempDir,
    out: &Path,
    parent: &Path,
    replacing: bool,
) -> Result<(), SiteError> {
    if !replacing {
        let staged = staging.keep();
        return fs::rename(&staged, out).map_err(|source| {
            let _ = fs::remove_dir_all(&staged);
            SiteError::Io { path: out.to_path_buf(), source }
        });
    }
    let old = tempfile::Builder::new()
        .prefix(OLD_PREFIX)
        .rand_bytes(RANDOM_LETTERS)
        .tempdir_in(parent)
        .map_err(io_error(parent))?;
    let old_path = old.path().join("site");
    fs::rename(out, &old_path).map_err(io_error(out))?;
    if let Err(source) = fs::rename(staging.path(), out) {
        // Put the previous site back; the staging folder is removed when dropped.
        let _ = fs::rename(&old_path, out);
        return Err(SiteError::Io { path: out.to_path_buf(), source });
    }
    let _ = staging.keep();
    drop(old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file<'a>(path: &'a str, text: &'a str) -> (&'a str, &'a str) {
        (path, text)
    }

    /// Writes `files` as the whole content of `out`, as a build does.
    fn write(out: &Path, files: &[(&str, &str)], force: bool) -> Result<Written, SiteError> {
        write_site(out, SiteOf::Portfolio, files, force)
    }

    fn write_site(
        out: &Path,
        of: SiteOf,
        files: &[(&str, &str)],
        force: bool,
    ) -> Result<Written, SiteError> {
        let staging = Staging::begin(out, of, force)?;
        for (path, text) in files {
            staging.write(path, &mut |out| out.write_all(text.as_bytes()))?;
        }
        staging.finish()
    }

    #[test]
    fn a_site_replaces_the_previous_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[file("index.html", "one"), file("old.html", "x")], false).unwrap();
        write(&out, &[file("index.html", "two")], false).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(!out.join("old.html").exists(), "files of the previous site are gone");
        let leftovers: Vec<_> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["public"], "no staging folders are left behind");
    }

    #[test]
    fn folders_left_by_stopped_builds_are_removed_once_they_are_old() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let left_behind = [".vendorcard-new-abc123", ".vendorcard-old-DEF456"];
        // Named otherwise than a build names its folders: someone's own.
        let own = [".vendorcard-old-notes", ".vendorcard-new-a-b-c1", "keep"];
        let fresh = ".vendorcard-new-fresh1";
        for name in left_behind.iter().chain(&own).chain([&fresh]) {
            fs::create_dir(dir.path().join(name)).unwrap();
            fs::write(dir.path().join(name).join("index.html"), "x").unwrap();
        }
        // Stopped in 2001; the fresh one was made just now.
        let long_ago = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        for name in left_behind.iter().chain(&own) {
            let folder = fs::File::open(dir.path().join(name)).unwrap();
            folder.set_modified(long_ago).unwrap();
        }

        let written = write(&out, &[file("index.html", "one")], false).unwrap();

        assert_eq!(written.cleared, 2);
        let mut left: Vec<_> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        // A recent one may be a build running beside this one.
        assert_eq!(
            left,
            [".vendorcard-new-a-b-c1", fresh, ".vendorcard-old-notes", "keep", "public"]
        );
    }

    #[test]
    fn a_foreign_folder_is_kept_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("mine.txt"), "keep me").unwrap();
        assert!(matches!(
            write(&out, &[file("index.html", "x")], false),
            Err(SiteError::Foreign(_))
        ));
        assert_eq!(fs::read_to_string(out.join("mine.txt")).unwrap(), "keep me");
        write(&out, &[file("index.html", "x")], true).unwrap();
        assert!(!out.join("mine.txt").exists());
    }

    #[test]
    fn a_vendor_s_folder_takes_only_that_vendor_s_site_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ledgerline");
        let ledgerline = || SiteOf::Vendor("ledgerline".into());
        write_site(&out, ledgerline(), &[file("index.html", "one")], false).unwrap();
        write_site(&out, ledgerline(), &[file("index.html", "two")], false).unwrap();

        for other in [SiteOf::Portfolio, SiteOf::Vendor("acme".into())] {
            let refused = write_site(&out, other.clone(), &[file("index.html", "x")], false);
            assert!(
                matches!(&refused, Err(SiteError::OtherSite { was, now, .. }) if *was == ledgerline() && *now == other),
                "{refused:?}"
            );
            assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        }

        write_site(&out, SiteOf::Portfolio, &[file("index.html", "all")], true).unwrap();
        let refused = write_site(&out, ledgerline(), &[file("index.html", "x")], false);
        assert!(matches!(refused, Err(SiteError::OtherSite { was: SiteOf::Portfolio, .. })));
    }

    #[test]
    fn no_site_is_written_inside_another_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let acme = dir.path().join("acme");
        write_site(&acme, SiteOf::Vendor("acme".into()), &[file("index.html", "a")], false)
            .unwrap();
        for inner in [acme.join("all"), acme.join("deeper/still")] {
            let refused = write(&inner, &[file("index.html", "all")], false);
            assert!(matches!(refused, Err(SiteError::InsideSite { .. })), "{refused:?}");
            assert!(!inner.exists());
        }
        write(&acme.join("all"), &[file("index.html", "all")], true).unwrap();
    }

    #[test]
    fn a_marker_of_an_earlier_version_records_no_reader() {
        assert_eq!(SiteOf::recorded(MARKER_TEXT), None);
        assert_eq!(SiteOf::recorded("x\nsite: vendor a-b\n"), Some(SiteOf::Vendor("a-b".into())));
        assert_eq!(SiteOf::recorded("x\nsite: portfolio\n"), Some(SiteOf::Portfolio));
    }

    #[test]
    fn the_output_may_not_be_the_project_or_an_input_folder() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path();
        fs::create_dir(project.join("kpis")).unwrap();
        assert!(matches!(check_output_folder(project, project), Err(SiteError::IsProject(_))));
        assert!(matches!(
            check_output_folder(project, &project.join("kpis/site")),
            Err(SiteError::InsideInputs { .. })
        ));
        assert!(matches!(
            check_output_folder(project, &project.join("contracts")),
            Err(SiteError::InsideInputs { .. })
        ));
        assert!(matches!(
            check_output_folder(&project.join("sub"), project),
            Err(SiteError::HoldsProject(_))
        ));
        assert!(check_output_folder(project, &project.join("public")).is_ok());
        assert!(check_output_folder(project, &project.join("kpis/../public")).is_ok());
        assert_eq!(resolved(&project.join("public/sub/..")), resolved(&project.join("public")));
        assert_eq!(resolved(&project.join("kpis/./x/..")), resolved(&project.join("kpis")));
    }
}
