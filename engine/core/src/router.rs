//! Detects what kind of content a tool output is, so it goes to the transform
//! that understands it. Detection looks at the content beneath any
//! line-number prefix, and at the tool call (a file path's extension).

use crate::find;
use crate::lines::Lines;
use serde::{Deserialize, Serialize};

/// The kinds of tool output Headroom tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Json,
    Log,
    Test,
    Search,
    Diff,
    Code,
    Text,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Json => "json",
            Kind::Log => "log",
            Kind::Test => "test",
            Kind::Search => "search",
            Kind::Diff => "diff",
            Kind::Code => "code",
            Kind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "json" => Kind::Json,
            "log" | "logs" => Kind::Log,
            "test" | "test_output" => Kind::Test,
            "search" => Kind::Search,
            "diff" => Kind::Diff,
            "code" => Kind::Code,
            "text" => Kind::Text,
            _ => return None,
        })
    }
}

/// Source-file extensions that route to `code`.
pub const CODE_EXTENSIONS: &[&str] = &[
    "py", "pyi", "js", "mjs", "cjs", "jsx", "ts", "tsx", "mts", "cts", "go", "rs", "java", "c",
    "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "kt", "scala", "cs", "rb", "php", "swift",
];

/// Detect the kind of `lines`. `file_path` is the path argument of the tool
/// call that produced the output, if any.
pub fn detect(lines: &Lines, file_path: Option<&str>) -> Kind {
    if let Some(ext) = file_path.and_then(extension) {
        if ext == "json" && looks_like_json(lines) {
            return Kind::Json;
        }
        if CODE_EXTENSIONS.contains(&ext.as_str()) {
            return Kind::Code;
        }
        if matches!(ext.as_str(), "md" | "rst" | "txt" | "adoc") {
            return Kind::Text;
        }
        if ext == "log" {
            return Kind::Log;
        }
        if matches!(ext.as_str(), "diff" | "patch") {
            return Kind::Diff;
        }
    }
    if !lines.is_numbered() && looks_like_json(lines) {
        return Kind::Json;
    }
    // A piece of pretty-printed JSON (a long response read in chunks).
    if crate::transforms::json::fragment::is_fragment(&lines.content) {
        return Kind::Json;
    }
    let sample: Vec<&str> = lines
        .content
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .take(400)
        .collect();
    if sample.is_empty() {
        return Kind::Text;
    }
    if is_diff(&sample) {
        return Kind::Diff;
    }
    if is_test_output(&lines.content) || is_test_piece(&sample) {
        return Kind::Test;
    }
    if is_search(&sample) {
        return Kind::Search;
    }
    if is_log(&sample) {
        return Kind::Log;
    }
    if is_code(&sample) {
        return Kind::Code;
    }
    Kind::Text
}

/// Lower-cased extension of a path, if it has one.
pub fn extension(path: &str) -> Option<String> {
    let name = path.rsplit(['/', '\\']).next()?;
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() {
        return None;
    }
    Some(ext.to_ascii_lowercase())
}

fn looks_like_json(lines: &Lines) -> bool {
    let text = lines.content_text();
    let t = text.trim();
    (t.starts_with('{') && t.ends_with('}') || t.starts_with('[') && t.ends_with(']'))
        && serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok()
}

fn is_diff(sample: &[&str]) -> bool {
    let git = sample
        .iter()
        .any(|l| l.starts_with("diff --git ") || l.starts_with("Index: "));
    let hunks = sample
        .iter()
        .filter(|l| l.starts_with("@@ ") && find::contains(&l[3..], " @@"))
        .count();
    let headers = sample.iter().any(|l| l.starts_with("--- "))
        && sample.iter().any(|l| l.starts_with("+++ "));
    hunks > 0 && (git || headers) || is_hunk_body(sample)
}

/// A piece of a long diff cut inside a file: every line is a hunk line
/// (`+`, `-`, ` `) or a hunk header, a good share of them changes, and some are additions
/// (a Markdown or YAML list alone has `-` and indented lines, never `+`).
fn is_hunk_body(sample: &[&str]) -> bool {
    let hunk_lines = sample
        .iter()
        .filter(|l| l.starts_with(['+', '-', ' ']) || l.starts_with("@@ -"))
        .count();
    let changes = sample.iter().filter(|l| l.starts_with(['+', '-'])).count();
    let additions = sample.iter().filter(|l| l.starts_with('+')).count();
    sample.len() >= 20
        && hunk_lines * 100 >= sample.len() * 98
        && changes * 10 >= sample.len() * 3
        && additions > 0
}

fn is_test_output(all: &[&str]) -> bool {
    // One searcher for every line (this runs over the whole text).
    let banner = memchr::memmem::Finder::new("test session starts");
    all.iter().any(|l| {
        let t = l.trim();
        banner.find(t.as_bytes()).is_some()
            || t.starts_with("test result: ")
            || (t.starts_with("running ") && t.ends_with(" tests"))
            || is_count_of(t, "passing")
            || is_count_of(t, "failing")
            || t.starts_with("Tests:") && find::contains(t, " total")
            || t.starts_with("--- FAIL:")
            || t.starts_with("=== RUN")
    })
}

/// `1256 passing (4s)`: a count, then `word` (mocha's totals).
fn is_count_of(t: &str, word: &str) -> bool {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && t[digits..]
            .strip_prefix(' ')
            .is_some_and(|rest| rest.starts_with(word))
}

/// A piece of a long test run cut away from its banner and totals: a good
/// share of its lines report test results (`✔ title`, `x.py::t PASSED`,
/// pytest failure titles and progress dots).
fn is_test_piece(sample: &[&str]) -> bool {
    let results = sample
        .iter()
        .filter(|l| crate::transforms::test::results::verdict(l).is_some())
        .count();
    results * 10 >= sample.len() * 2
}

/// `path:line:text` / `path:line-text` (grep -n, rg -n), or rg `--heading`
/// blocks (a path line followed by `line:text` lines).
fn is_search(sample: &[&str]) -> bool {
    let hits = sample
        .iter()
        .filter(|l| is_grep_line(l) && !starts_with_timestamp(l))
        .count();
    if hits * 10 >= sample.len() * 6 {
        return true;
    }
    let numbered = sample
        .iter()
        .filter(|l| starts_with_line_number(l) && !starts_with_timestamp(l))
        .count();
    numbered * 10 >= sample.len() * 6
        && sample
            .iter()
            .any(|l| !starts_with_line_number(l) && l.contains(['/', '.']))
}

/// `path:123:rest` or `path:123-rest` with a plausible path.
pub fn is_grep_line(line: &str) -> bool {
    let Some((path, rest)) = line.split_once(':') else {
        return false;
    };
    if path.is_empty() || path.contains(' ') || path.len() > 300 {
        return false;
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && matches!(rest.as_bytes().get(digits), Some(b':') | Some(b'-'))
}

/// `2024-01-01 …` or `10:00:00 …`: a log line's timestamp, which looks like
/// grep's `NNNN-` context prefix or `NN:NN:` hit prefix but is not one.
fn starts_with_timestamp(line: &str) -> bool {
    let b = line.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let date = (0..4).all(digit)
        && b.get(4) == Some(&b'-')
        && digit(5)
        && digit(6)
        && b.get(7) == Some(&b'-');
    let time = digit(0)
        && digit(1)
        && b.get(2) == Some(&b':')
        && digit(3)
        && digit(4)
        && b.get(5) == Some(&b':');
    date || time
}

fn starts_with_line_number(line: &str) -> bool {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && matches!(line.as_bytes().get(digits), Some(b':') | Some(b'-'))
}

fn is_log(sample: &[&str]) -> bool {
    let loggy = sample.iter().filter(|l| looks_like_log_line(l)).count();
    loggy * 10 >= sample.len() * 4
}

/// The level names a log line may carry.
const LEVELS: [&str; 12] = [
    "INFO", "WARN", "WARNING", "ERROR", "DEBUG", "TRACE", "FATAL", "I", "W", "E", "D", "V",
];

/// True when one of [`LEVELS`] occurs in `t` with a space on each side (as
/// `t.contains(&format!(" {level} "))` for some level), in one pass over the
/// line: routing runs this on every sampled line, and a substring search
/// per level cost more than the rest of the routing under wasm.
fn has_spaced_level(t: &str) -> bool {
    // Every piece but the first follows a space; every piece but the last
    // is followed by one.
    let mut pieces = t.split(' ').skip(1).peekable();
    while let Some(piece) = pieces.next() {
        if pieces.peek().is_some() && LEVELS.contains(&piece) {
            return true;
        }
    }
    false
}

/// A line that starts with a timestamp, a level, or a build-tool prefix.
fn looks_like_log_line(line: &str) -> bool {
    let t = line.trim_start();
    let first = t.split_whitespace().next().unwrap_or("");
    let digits_first = t.bytes().take(4).all(|b| b.is_ascii_digit()) && t.len() > 4;
    let bracket_time = t.starts_with('[')
        && t[1..]
            .bytes()
            .take(2)
            .all(|b| b.is_ascii_digit() || b.is_ascii_alphabetic());
    let bare_first = first.trim_matches(['[', ']', ':']);
    let level = has_spaced_level(t) || LEVELS.contains(&first) || LEVELS.contains(&bare_first);
    let build = [
        "Compiling",
        "Running",
        "Fresh",
        "Finished",
        "Downloaded",
        "Building",
        "npm",
        "warning:",
        "error:",
        "error[",
    ]
    .iter()
    .any(|p| first.starts_with(p));
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .contains(&first);
    digits_first || bracket_time || level || build || month
}

/// Source code: many lines with the shape of code (statements, braces,
/// declarations), counting comments and Python's `:` blocks too, since
/// documented source is often more comment than code. Markdown with code
/// blocks (fenced) is text.
fn is_code(sample: &[&str]) -> bool {
    let fences = sample
        .iter()
        .filter(|l| l.trim_start().starts_with("```"))
        .count();
    if fences >= 2 {
        return false;
    }
    let statements = sample.iter().filter(|l| is_statement_line(l)).count();
    if statements * 10 >= sample.len() * 3 {
        return true;
    }
    let shaped = sample.iter().filter(|l| is_code_shaped(l)).count();
    // Between the clear cases, a language's own constructs decide (prose
    // about code has some; a source file has them on one line in ten).
    shaped * 10 >= sample.len() * 6
        || shaped * 10 >= sample.len() * 4
            && crate::transforms::code::language_evidence(sample) * 10 >= sample.len()
}

/// A line that starts a declaration or statement, or ends one.
fn is_statement_line(line: &str) -> bool {
    const STARTS: &[&str] = &[
        "def ",
        "class ",
        "import ",
        "from ",
        "fn ",
        "pub ",
        "func ",
        "package ",
        "#include",
        "function ",
        "const ",
        "return ",
        "public ",
        "private ",
    ];
    let t = line.trim_start();
    STARTS.iter().any(|p| t.starts_with(p)) || t.ends_with('{') || t.ends_with(';') || t == "}"
}

/// A statement line, a comment, a block header or a line continuing an
/// expression (ending in a bracket, comma or colon).
fn is_code_shaped(line: &str) -> bool {
    const STARTS: &[&str] = &[
        "//", "/*", "*", "#[", "#!", "@", "\"\"\"", "'''", "# ", "if ", "for ", "while ", "else",
        "elif ", "try:", "except", "with ", "raise ", "let ", "var ", "case ", "switch ", "use ",
        "impl ", "type ", "struct ", "enum ", "static ", "async ", "await ", "self.", "this.",
    ];
    const ENDS: &[&str] = &[":", ",", "(", ")", "[", "]", "}", "{", "=>", "\\"];
    let t = line.trim();
    is_statement_line(line)
        || STARTS.iter().any(|p| t.starts_with(p))
        || ENDS.iter().any(|p| t.ends_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Kind {
        detect(&Lines::parse(text), None)
    }

    #[test]
    fn a_spaced_level_is_found_as_with_format() {
        for t in [
            "12:00 INFO started",
            "x E y",
            "xE y",
            "x INFOS y",
            "INFO at start ",
            "a WARN WARN b",
            "a  WARN  b",
            "at end WARN",
            "at end WARN ",
            " V ",
            "",
            "no level here",
        ] {
            let expected = LEVELS.iter().any(|lv| t.contains(&format!(" {lv} ")));
            assert_eq!(has_spaced_level(t), expected, "{t:?}");
        }
    }

    #[test]
    fn detects_common_kinds() {
        assert_eq!(kind("[{\"a\":1},{\"a\":2}]"), Kind::Json);
        assert_eq!(
            kind("src/a.rs:12:fn main() {\nsrc/b.rs:3:let x = 1;\n"),
            Kind::Search
        );
        assert_eq!(
            kind("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n"),
            Kind::Diff
        );
        let hunk_piece: String = (0..30)
            .map(|n| format!("+    line {n}\n-    old {n}\n     same {n}\n"))
            .collect();
        assert_eq!(kind(&hunk_piece), Kind::Diff);
        let yaml_list: String = (0..30)
            .map(|n| format!("- name: item{n}\n  value: {n}\n"))
            .collect();
        assert_ne!(kind(&yaml_list), Kind::Diff);
        assert_eq!(
            kind("running 3 tests\ntest a ... ok\n\ntest result: ok. 3 passed; 0 failed\n"),
            Kind::Test
        );
        let iso_log: String = (0..30)
            .map(|n| {
                format!(
                    "2024-01-01 10:00:{n:02},000 INFO [main] a.B - req {n}\n\tat a.B.c(B.java:1)\n"
                )
            })
            .collect();
        assert_eq!(kind(&iso_log), Kind::Log);
        assert_eq!(
            kind("  Route\n    ✔ a\n    ✔ b\n\n  2 passing (4s)\n"),
            Kind::Test
        );
        let mocha_piece: String = (0..30)
            .map(|n| format!("  Suite {n}\n    ✔ works {n}\n"))
            .collect();
        assert_eq!(kind(&mocha_piece), Kind::Test);
        assert_eq!(
            kind("2024-01-01 10:00:00 INFO start\n2024-01-01 10:00:01 ERROR boom\n2024-01-01 10:00:02 INFO x\n"),
            Kind::Log
        );
        assert_eq!(
            detect(
                &Lines::parse("1\tdef f():\n2\t    return 1\n"),
                Some("/x/a.py")
            ),
            Kind::Code
        );
    }

    #[test]
    fn documented_source_is_code_and_markdown_is_text() {
        // More doc comment than code, no file name.
        let rust: String = (0..20)
            .map(|n| {
                format!(
                    "/// Does thing {n}.\n///\n/// More words about it.\n/// And more.\n\
                     pub fn f{n}(x: u32) -> u32 {{\n    x + {n}\n}}\n\n"
                )
            })
            .collect();
        assert_eq!(kind(&rust), Kind::Code);
        let python: String = (0..20)
            .map(|n| {
                format!(
                    "    def f{n}(self, x):\n        \"\"\"Does thing {n}.\n\n        \
                     More words about it.\n        \"\"\"\n        if x:\n            \
                     return self.y\n        return x\n\n"
                )
            })
            .collect();
        assert_eq!(kind(&python), Kind::Code);
        let markdown: String = (0..20)
            .map(|n| {
                format!("## Step {n}\n\nCall it like this:\n\n```rust\nlet x = f({n});\n```\n\n")
            })
            .collect();
        assert_eq!(kind(&markdown), Kind::Text);
    }
}
