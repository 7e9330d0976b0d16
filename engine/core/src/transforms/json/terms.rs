//! Which query terms can tell rows apart in this document. The query mixes
//! what the user asked with words of the tool call (`api`, `github`, `json`
//! from a fixture's path); a term found all over the document marks no row
//! as special, and keeping every row it touches would undo the compression.

use crate::query::Query;

/// The terms of `query` that occur as a word at most `max_hits` times in
/// `text` (case-insensitive), as a new query.
pub fn selective(query: &Query, text: &str, max_hits: usize) -> Query {
    if query.is_empty() {
        return query.clone();
    }
    let terms = query.terms();
    let mut hits = vec![0usize; terms.len()];
    let (min_len, max_len) = terms.iter().fold((usize::MAX, 0), |(lo, hi), t| {
        (lo.min(t.len()), hi.max(t.len()))
    });
    let bytes = text.as_bytes();
    let mut start = None;
    for (i, &b) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
        let in_word = b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
        match (in_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let word = &bytes[s..i];
                if (min_len..=max_len).contains(&word.len()) {
                    for (term, count) in terms.iter().zip(hits.iter_mut()) {
                        if term.as_bytes().eq_ignore_ascii_case(word) {
                            *count += 1;
                        }
                    }
                }
                start = None;
            }
            _ => {}
        }
    }
    let kept: Vec<&str> = terms
        .iter()
        .zip(&hits)
        .filter(|(_, &h)| h <= max_hits)
        .map(|(t, _)| t.as_str())
        .collect();
    Query::from_texts([kept.join(" ").as_str()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_all_over_the_document_are_dropped() {
        let query = Query::from_texts(["github fixture json parse_config"]);
        let text = r#"[{"u":"https://github.com/a"},{"u":"https://GitHub.com/b"},{"u":"https://github.com/c"},
                      {"f":"parse_config failed"},{"t":"application/json"}]"#;
        assert_eq!(
            selective(&query, text, 2).terms(),
            ["fixture", "json", "parse_config"]
        );
        assert_eq!(selective(&query, text, 0).terms(), ["fixture"]);
    }
}
