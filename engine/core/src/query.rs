//! What the user asked about, as a set of terms. Lines, rows and matches that
//! contain a term are kept. Terms come only from the tool call and the user
//! text before it (never from later turns), which keeps compression
//! deterministic across turns.

/// A set of lower-cased terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    terms: Vec<String>,
}

const STOPWORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "with",
    "that",
    "this",
    "from",
    "into",
    "what",
    "why",
    "how",
    "when",
    "where",
    "which",
    "who",
    "are",
    "was",
    "were",
    "is",
    "not",
    "but",
    "you",
    "your",
    "can",
    "could",
    "should",
    "would",
    "please",
    "file",
    "files",
    "line",
    "lines",
    "show",
    "find",
    "look",
    "run",
    "get",
    "all",
    "any",
    "use",
    "using",
    "does",
    "did",
    "have",
    "has",
    "had",
    "there",
    "their",
    "them",
    "then",
    "than",
    "also",
    "just",
    "only",
    "some",
    "make",
    "like",
    "true",
    "false",
    "null",
    "none",
    "command",
    "description",
    "path",
    "pattern",
    "output",
    "mode",
    "content",
    "let",
    "fix",
    "need",
    "want",
    "about",
    "after",
    "before",
    "its",
    "it's",
    "will",
    "out",
    "one",
    "two",
];

const MAX_TERMS: usize = 32;

impl Query {
    /// Terms from free texts: identifier-like words of 3+ characters that are
    /// not stopwords, lower-cased, first occurrence first, at most 32.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut terms: Vec<String> = Vec::new();
        for text in texts {
            for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if word.chars().count() < 3 || word.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let lower = word.to_lowercase();
                if STOPWORDS.contains(&lower.as_str()) || terms.contains(&lower) {
                    continue;
                }
                terms.push(lower);
                if terms.len() == MAX_TERMS {
                    return Self { terms };
                }
            }
        }
        Self { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// True when `text` contains any term (case-insensitive).
    pub fn matches(&self, text: &str) -> bool {
        if self.terms.is_empty() {
            return false;
        }
        let lower = text.to_lowercase();
        self.terms.iter().any(|t| lower.contains(t.as_str()))
    }

    /// How many distinct terms `text` contains.
    pub fn score(&self, text: &str) -> usize {
        if self.terms.is_empty() {
            return 0;
        }
        let lower = text.to_lowercase();
        self.terms
            .iter()
            .filter(|t| lower.contains(t.as_str()))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_identifiers_and_matches_case_insensitively() {
        let q = Query::from_texts([
            "Why does parse_config fail?",
            r#"{"pattern":"TimeoutError"}"#,
        ]);
        assert_eq!(q.terms(), ["parse_config", "fail", "timeouterror"]);
        assert!(q.matches("raise TimeoutError()"));
        assert!(!q.matches("all good"));
    }
}
