//! Replays the fuzz targets' saved inputs: the corpus under `fuzz/corpus/<target>/`, which the
//! fuzzer grew to cover what it could reach, and every input that once found a crash, kept under
//! `fuzz/regressions/<target>/`. The fuzz runs themselves are described in docs/security.md.

use std::path::Path;

#[path = "../fuzz/harness.rs"]
mod harness;

/// Runs `target` over every saved input of its folders and says how many there were.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for folder in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else { continue };
        let mut paths: Vec<_> = entries.map(|e| e.expect("an entry").path()).collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).expect("a saved input");
            // A panic names the input, so that it can be run again on its own.
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            assert!(outcome.is_ok(), "{} fails", path.display());
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn the_contract_corpus_replays_cleanly() {
    assert!(replay("contract", harness::contract) >= 7);
}

#[test]
fn the_settings_corpus_replays_cleanly() {
    assert!(replay("settings", harness::settings) >= 2);
}

#[test]
fn the_export_corpus_replays_cleanly() {
    assert!(replay("export", harness::export) >= 7);
}

#[test]
fn the_markdown_corpus_replays_cleanly() {
    assert!(replay("markdown", harness::markdown) >= 6);
}
