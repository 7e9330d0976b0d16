//! Golden snapshots under `tests/snapshots/`. A snapshot that differs, or is
//! missing, fails the test; `UPDATE_SNAPSHOTS=1` rewrites it instead. Missing
//! snapshots are never created silently: a new corpus file must be reviewed.

use std::path::{Path, PathBuf};

/// Written instead of the output when the output is byte-identical to the
/// input, so the repo does not carry a second copy of the corpus.
pub const IDENTICAL: &str = "<identical to input>\n";

/// Root of the snapshot tree.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots")
}

/// True when snapshots are being rewritten (`UPDATE_SNAPSHOTS=1`).
pub fn updating() -> bool {
    std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1")
}

/// What a snapshot file holds for `output` of `input`.
pub fn text_for(input: &str, output: &str) -> String {
    if output == input {
        IDENTICAL.to_string()
    } else {
        output.to_string()
    }
}

/// Compare `actual` with the snapshot at `path` (or rewrite it when
/// updating). The error names the first differing line.
pub fn check(path: &Path, actual: &str) -> Result<(), String> {
    let expected = std::fs::read_to_string(path).ok();
    if expected.as_deref() == Some(actual) {
        return Ok(());
    }
    if updating() {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        return std::fs::write(path, actual)
            .map_err(|e| format!("cannot write {}: {e}", path.display()));
    }
    let hint =
        "run `UPDATE_SNAPSHOTS=1 cargo test --release -p headroom-tests` and review the diff";
    let Some(expected) = expected else {
        return Err(format!("snapshot {} is missing; {hint}", path.display()));
    };
    Err(format!(
        "snapshot {} differs: {}; {hint}",
        path.display(),
        first_difference(&expected, actual)
    ))
}

/// Where two texts first differ, by line.
pub fn first_difference(expected: &str, actual: &str) -> String {
    let (mut e, mut a) = (expected.split('\n'), actual.split('\n'));
    for n in 1.. {
        match (e.next(), a.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => return format!("line {n}: expected {:?}, got {:?}", clip(x), clip(y)),
        }
    }
    unreachable!("the loop returns on the first difference")
}

fn clip(line: Option<&str>) -> String {
    match line {
        None => "<end of text>".to_string(),
        Some(l) if l.chars().count() > 160 => {
            format!("{}…", l.chars().take(160).collect::<String>())
        }
        Some(l) => l.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_outputs_are_not_stored_twice() {
        assert_eq!(text_for("abc", "abc"), IDENTICAL);
        assert_eq!(text_for("abc", "ab"), "ab");
    }

    #[test]
    fn first_difference_names_the_line() {
        assert_eq!(
            first_difference("a\nb\nc", "a\nx\nc"),
            r#"line 2: expected "b", got "x""#
        );
        assert_eq!(
            first_difference("a\n", "a\nb"),
            r#"line 2: expected "", got "b""#
        );
        assert_eq!(
            first_difference("a", "a\nb"),
            r#"line 2: expected "<end of text>", got "b""#
        );
    }
}
