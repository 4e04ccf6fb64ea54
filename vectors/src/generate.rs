//! The generator: every case as files, deterministically.
//!
//! Same inputs, same bytes: keys come from fixed seeds, the clock is
//! [`crate::enrolment::NOW`], signatures are deterministic (see [`crate::mint`]),
//! and JSON objects serialize with sorted member names.

use crate::case::Case;
use serde_json::json;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// The index file at the root of the cases directory.
pub const INDEX: &str = "index.json";

/// Every file of the cases directory, by relative path (`/`-separated).
pub fn render(cases: &[Case]) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for case in cases {
        for (name, bytes) in case.files() {
            files.insert(format!("{}/{name}", case.dir()), bytes);
        }
    }
    let dirs: Vec<String> = cases.iter().map(Case::dir).collect();
    let mut index = serde_json::to_string_pretty(&json!({"cases": dirs})).expect("JSON");
    index.push('\n');
    files.insert(INDEX.to_owned(), index.into_bytes());
    files
}

/// Writes `files` under `out`, first removing what an earlier run wrote there
/// (the index and the suite directories), so that no stale case survives.
pub fn write(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> io::Result<()> {
    for suite in crate::mint::Suite::ALL {
        let dir = out.join(suite.name());
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
    }
    for (path, bytes) in files {
        let path = out.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    Ok(())
}
