//! Reading `tests/vectors/` for the core's test binaries: the walk over the directory is here
//! (the core does no I/O); each file is parsed by the one parser,
//! `rxgate_core::api::vectors::parse_file`.

#![allow(dead_code, reason = "each test binary uses part of this module")]

use rxgate_core::api::vectors::{self, VectorFile};
use std::path::{Path, PathBuf};

/// `tests/vectors/` of the repository.
pub(crate) fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Every vector file, sorted, as (path relative to `tests/vectors/`, parsed file or why not).
pub(crate) fn all_files() -> Vec<(String, Result<VectorFile, String>)> {
    let root = vectors_dir();
    let mut paths = Vec::new();
    json_files(&root, &mut paths);
    paths
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&root)
                .map(|p| p.display().to_string().replace('\\', "/"))
                .unwrap_or_default();
            let parsed = std::fs::read_to_string(&path)
                .map_err(|e| format!("{rel}: {e}"))
                .and_then(|text| vectors::parse_file(&rel, &text));
            (rel, parsed)
        })
        .collect()
}

/// One vector file by its path relative to `tests/vectors/` (e.g. `order/diagnose.json`).
pub(crate) fn file(rel: &str) -> Result<VectorFile, String> {
    let text =
        std::fs::read_to_string(vectors_dir().join(rel)).map_err(|e| format!("{rel}: {e}"))?;
    vectors::parse_file(rel, &text)
}
