//! Which function bodies the task is about, so they are kept whole: a
//! function the query names, and a body that uses an identifier from the
//! query that is specific to a few places in the file.
//!
//! Matching is on whole identifiers, not substrings: the query term `app`
//! must not keep every body that calls `append`.

use crate::query::Query;

/// A query term that occurs on more lines than this is too common in the file
/// (a word like `request` in an HTTP library) to say which bodies matter.
const MAX_SPECIFIC_ROWS: usize = 8;

/// Tool-argument names: their terms come from the call's JSON keys, not from
/// what the user asked about.
const ARGUMENT_NAMES: &[&str] = &[
    "file_path",
    "filepath",
    "filename",
    "target_file",
    "offset",
    "limit",
    "start_line",
    "end_line",
    "old_string",
    "new_string",
    "replace_all",
    "recursive",
    "glob",
    "type",
];

/// Keywords and everyday names of the languages: a question that says
/// "return" or "self" is not about the bodies that contain them.
const KEYWORDS: &[&str] = &[
    "return", "self", "this", "function", "class", "def", "let", "const", "var", "import", "from",
    "for", "while", "else", "true", "false", "null", "none", "new", "int", "string", "void", "pub",
    "struct", "impl", "async", "await", "static", "public", "private", "try", "catch", "except",
    "raise", "throw", "break", "continue", "func", "package", "type",
];

/// Query terms as they bear on one source file.
#[derive(Debug, Default)]
pub struct Relevance {
    /// Terms that may name a function.
    terms: Vec<String>,
    /// For each specific term, the rows (sorted) where it occurs as an identifier.
    specific_rows: Vec<Vec<usize>>,
}

impl Relevance {
    /// Terms of `query`, minus those that only repeat the tool call's own
    /// argument names or the file's path, located in `lines`.
    pub fn new(query: &Query, file_path: Option<&str>, lines: &[&str]) -> Self {
        let path_parts: Vec<String> = file_path
            .map(|p| identifiers(p).map(|w| w.to_ascii_lowercase()).collect())
            .unwrap_or_default();
        let terms: Vec<String> = query
            .terms()
            .iter()
            .filter(|t| {
                !ARGUMENT_NAMES.contains(&t.as_str())
                    && !KEYWORDS.contains(&t.as_str())
                    && !path_parts.iter().any(|p| p == *t)
            })
            .cloned()
            .collect();
        if terms.is_empty() {
            return Self::default();
        }
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); terms.len()];
        for (row, line) in lines.iter().enumerate() {
            for word in identifiers(line) {
                if let Some(i) = terms.iter().position(|t| t.eq_ignore_ascii_case(word)) {
                    if rows[i].last() != Some(&row) {
                        rows[i].push(row);
                    }
                }
            }
        }
        let specific_rows = rows
            .into_iter()
            .filter(|r| !r.is_empty() && r.len() <= MAX_SPECIFIC_ROWS)
            .collect();
        Self {
            terms,
            specific_rows,
        }
    }

    /// True when the query names `name` (a function's name, possibly
    /// qualified as `Type::name` or `obj.name`).
    pub fn names(&self, name: &str) -> bool {
        let last = name.rsplit([':', '.']).next().unwrap_or(name);
        !last.is_empty()
            && self
                .terms
                .iter()
                .any(|t| t.eq_ignore_ascii_case(last) || t.eq_ignore_ascii_case(name))
    }

    /// True when a specific query term occurs on a row in `first..=last`.
    pub fn mentioned_in(&self, first: usize, last: usize) -> bool {
        self.specific_rows.iter().any(|rows| {
            let i = rows.partition_point(|&r| r < first);
            rows.get(i).is_some_and(|&r| r <= last)
        })
    }
}

/// The identifier-like words of `text` (letters, digits, `_`).
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_specific_mentions() {
        let lines = [
            "def load_config(path):",
            "    return parse(path)",
            "def other():",
            "    load_config(1)",
        ];
        let query = Query::from_texts([
            "why does load_config fail",
            r#"{"file_path":"/src/settings.py"}"#,
        ]);
        let rel = Relevance::new(&query, Some("/src/settings.py"), &lines);
        assert!(rel.names("load_config"));
        assert!(rel.names("Config::load_config"));
        assert!(!rel.names("other"));
        // The call on row 3 mentions it; row 1 does not.
        assert!(rel.mentioned_in(3, 3));
        assert!(!rel.mentioned_in(1, 2));
        // Path parts and argument names are not about the task.
        assert!(!rel.names("settings") && !rel.names("file_path"));
    }

    #[test]
    fn whole_identifiers_only_and_common_terms_do_not_count() {
        let mut lines = vec!["x = append(y)"];
        lines.extend(std::iter::repeat_n("request.send()", 20));
        let rel = Relevance::new(&Query::from_texts(["app request"]), None, &lines);
        assert!(!rel.mentioned_in(0, 0), "`app` is not `append`");
        assert!(!rel.mentioned_in(1, 20), "`request` is on every line");
        assert!(rel.names("request"));
    }

    #[test]
    fn keywords_say_nothing_about_bodies() {
        let lines = ["def f():", "    return 1", "def g():", "    pass"];
        let rel = Relevance::new(&Query::from_texts(["what does f return"]), None, &lines);
        assert!(!rel.mentioned_in(1, 1));
    }
}
