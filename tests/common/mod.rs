//! One small helper for end-to-end tests: a fixture project in its own temporary folder, and
//! the real `vendorcard` binary run over it.

#![allow(dead_code, reason = "each test binary uses its own part of the helper")]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Project {
        Project { dir: tempfile::tempdir().expect("a temporary folder") }
    }

    /// A copy of a fixture project under `tests/fixtures/`.
    pub fn fixture(name: &str) -> Project {
        let project = Project::new();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        copy_tree(&source, project.path());
        project
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.path().join("public")
    }

    /// Writes a file of the project, creating its folders.
    pub fn file(&self, path: &str, text: &str) -> &Project {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a parent folder")).expect("folders");
        std::fs::write(full, text).expect("a written file");
        self
    }

    /// Runs `vendorcard <args…>` in the project folder.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::cargo_bin("vendorcard")
            .expect("the binary")
            .current_dir(self.path())
            // A test run inside a CI job must not write to that job's summary.
            .env_remove("GITHUB_STEP_SUMMARY")
            .args(args)
            .output()
            .expect("a run")
    }

    pub fn build(&self, today: &str) -> Output {
        self.run(&["build", ".", "--today", today])
    }

    /// Builds and insists on success, returning the run's output.
    pub fn build_ok(&self, today: &str) -> Output {
        let output = self.build(today);
        assert!(output.status.success(), "build failed:\n{}", stderr(&output));
        output
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.out().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("data/scorecards.json")).expect("valid JSON")
    }
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("a readable fixture");
        let target = to.join(entry.path().strip_prefix(from).expect("inside the fixture"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("folders");
        } else {
            std::fs::copy(entry.path(), &target).expect("a copied file");
        }
    }
}

/// Every file of a folder with its bytes, by relative path.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("a readable entry"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e.path().strip_prefix(dir).expect("inside").to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("bytes"))
        })
        .collect();
    files.sort();
    files
}
