//! The shared corpus of real tool outputs (`../shared/corpus/`) and its
//! manifest. Every fixture test and the savings report start here, so they
//! always agree on which files exist and what category each belongs to.

use std::path::{Path, PathBuf};

/// Category of agent trajectories: whole conversations, not single tool outputs.
pub const TRACES: &str = "agent_traces";

/// One row of `MANIFEST.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// Path relative to the corpus root, e.g. `logs/loghub_HDFS_2k.log`.
    pub rel: String,
    /// Category column (`json`, `logs`, `test_output`, ...).
    pub category: String,
    /// File name without its directory, e.g. `loghub_HDFS_2k.log`.
    pub name: String,
}

/// Why the corpus could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("MANIFEST.tsv line {line}: {problem}")]
    Manifest { line: usize, problem: String },
}

/// The corpus root. `HEADROOM_CORPUS` overrides it; by default the repo sits
/// beside `shared/`, so the corpus is `<repo>/../shared/corpus`.
pub fn corpus_dir() -> PathBuf {
    match std::env::var_os("HEADROOM_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    }
}

/// Parse manifest text (header line first, tab-separated columns
/// `path category source license`).
pub fn parse_manifest(text: &str) -> Result<Vec<Fixture>, CorpusError> {
    let mut fixtures = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(rel), Some(category)) = (cols.next(), cols.next()) else {
            return Err(CorpusError::Manifest {
                line: i + 1,
                problem: "expected at least 2 tab-separated columns".into(),
            });
        };
        let (dir, name) = rel.split_once('/').ok_or_else(|| CorpusError::Manifest {
            line: i + 1,
            problem: format!("path `{rel}` is not `<category>/<file>`"),
        })?;
        if dir != category || name.contains('/') {
            return Err(CorpusError::Manifest {
                line: i + 1,
                problem: format!("path `{rel}` does not sit directly in its category `{category}`"),
            });
        }
        fixtures.push(Fixture {
            rel: rel.to_string(),
            category: category.to_string(),
            name: name.to_string(),
        });
    }
    Ok(fixtures)
}

/// Every fixture listed in the manifest, in manifest order.
pub fn manifest() -> Result<Vec<Fixture>, CorpusError> {
    let path = corpus_dir().join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&path).map_err(|source| CorpusError::Io { path, source })?;
    parse_manifest(&text)
}

/// The manifest row for `rel`, if listed.
pub fn fixture(rel: &str) -> Result<Fixture, CorpusError> {
    manifest()?
        .into_iter()
        .find(|f| f.rel == rel)
        .ok_or_else(|| CorpusError::Manifest {
            line: 0,
            problem: format!("`{rel}` is not listed"),
        })
}

/// Fixtures of tool outputs (everything but agent trajectories).
pub fn tool_outputs() -> Result<Vec<Fixture>, CorpusError> {
    Ok(manifest()?
        .into_iter()
        .filter(|f| f.category != TRACES)
        .collect())
}

impl Fixture {
    pub fn path(&self) -> PathBuf {
        corpus_dir().join(&self.rel)
    }

    /// The file's text. Corpus files are UTF-8 by construction.
    pub fn read(&self) -> Result<String, CorpusError> {
        let path = self.path();
        std::fs::read_to_string(&path).map_err(|source| CorpusError::Io { path, source })
    }
}

/// Files present on disk under the corpus's category folders, as
/// `<category>/<file>`, sorted. Used to prove the manifest lists everything.
pub fn files_on_disk() -> Result<Vec<String>, CorpusError> {
    let root = corpus_dir();
    let mut found = Vec::new();
    let read_dir = |path: &Path| {
        std::fs::read_dir(path).map_err(|source| CorpusError::Io {
            path: path.into(),
            source,
        })
    };
    for entry in read_dir(&root)? {
        let entry = entry.map_err(|source| CorpusError::Io {
            path: root.clone(),
            source,
        })?;
        if !entry.path().is_dir() {
            continue;
        }
        let category = entry.file_name().to_string_lossy().into_owned();
        for file in read_dir(&entry.path())? {
            let file = file.map_err(|source| CorpusError::Io {
                path: entry.path(),
                source,
            })?;
            if file.path().is_file() {
                found.push(format!("{category}/{}", file.file_name().to_string_lossy()));
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_rows_are_parsed_and_checked() {
        let text = "path\tcategory\tsource\tlicense\nlogs/a.log\tlogs\tsrc\tMIT\n\njson/b.json\tjson\tx\ty\n";
        let rows = parse_manifest(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            Fixture {
                rel: "logs/a.log".into(),
                category: "logs".into(),
                name: "a.log".into()
            }
        );
        assert!(
            parse_manifest("h\nlogs/a.log\tjson\n").is_err(),
            "category must match the folder"
        );
        assert!(
            parse_manifest("h\na.log\tlogs\n").is_err(),
            "path must have a folder"
        );
        assert!(
            parse_manifest("h\nlogs/a.log\n").is_err(),
            "category column is required"
        );
    }
}
