//! Reading one input (a file or stdin) as text, refusing what the engine
//! cannot meaningfully compress with a message that says why.

use anyhow::{bail, Context, Result};
use std::io::Read;
use std::path::Path;

/// Read `path` (`None` or `-` = stdin) as non-empty UTF-8 text.
pub fn read_text(path: Option<&Path>) -> Result<String> {
    let (bytes, name) = match path {
        None => (read_stdin()?, "standard input".to_string()),
        Some(p) if p.as_os_str() == "-" => (read_stdin()?, "standard input".to_string()),
        Some(p) => (
            std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?,
            p.display().to_string(),
        ),
    };
    check_text(bytes).with_context(|| format!("cannot compress {name}"))
}

fn read_stdin() -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    Ok(bytes)
}

/// Text is non-empty, has no NUL bytes (binary data) and is valid UTF-8.
pub fn check_text(bytes: Vec<u8>) -> Result<String> {
    if bytes.is_empty() {
        bail!("the input is empty");
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        bail!("the input looks binary (NUL byte at offset {pos})");
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "the input is not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_passes_and_bad_input_is_named() {
        assert_eq!(check_text(b"ok\n".to_vec()).unwrap(), "ok\n");
        assert!(check_text(Vec::new())
            .unwrap_err()
            .to_string()
            .contains("empty"));
        assert!(check_text(b"a\0b".to_vec())
            .unwrap_err()
            .to_string()
            .contains("binary (NUL byte at offset 1)"));
        assert!(check_text(b"ab\xffc".to_vec())
            .unwrap_err()
            .to_string()
            .contains("not valid UTF-8 (invalid byte at offset 2)"));
    }

    #[test]
    fn missing_files_say_which_file() {
        let err = read_text(Some(Path::new("/nonexistent/headroom.log"))).unwrap_err();
        assert!(
            format!("{err:#}").contains("cannot read /nonexistent/headroom.log"),
            "{err:#}"
        );
    }
}
