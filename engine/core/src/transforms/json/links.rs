//! Hypermedia link fields derivable from the object's own URL.
//!
//! REST APIs (GitHub's above all) repeat in every object dozens of fields
//! like `"forks_url":"https://api.github.com/repos/o/r/forks"`: the object's
//! `url` plus a fixed suffix. They are most of the tokens of such responses
//! and carry almost nothing a model needs, so the lossy stage drops a link
//! field when its value extends another link of the same object (or repeats
//! an earlier one). Links that are not such an extension (`html_url`,
//! `avatar_url`, `ssh_url`, a repository's own `url`) are kept.

use serde_json::{Map, Value};

/// Fewer derived links than this are not worth a marker.
const MIN_DERIVED: usize = 3;

/// Remove the derived link fields of `map`; returns how many were removed.
pub fn drop_derived(map: &mut Map<String, Value>) -> usize {
    let links: Vec<(&str, &str)> = map
        .iter()
        .filter(|(k, _)| is_link_key(k))
        .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
        .filter(|(_, v)| v.starts_with("https://") || v.starts_with("http://"))
        .collect();
    if links.len() <= MIN_DERIVED {
        return 0;
    }
    let derived: Vec<String> = links
        .iter()
        .enumerate()
        .filter(|&(i, &(key, value))| {
            // `url` names the object itself: dropped only when it extends
            // another link (an issue's `url` under its `repository_url`).
            let own = key == "url";
            links
                .iter()
                .enumerate()
                .any(|(j, &(_, base))| j != i && extends(value, base, j < i && !own))
        })
        .map(|(_, &(key, _))| key.to_string())
        .collect();
    if derived.len() < MIN_DERIVED {
        return 0;
    }
    map.retain(|k, _| !derived.iter().any(|d| d == k));
    derived.len()
}

/// `url`, `*_url`, `*Url`, `href`.
fn is_link_key(key: &str) -> bool {
    key == "url" || key == "href" || key.ends_with("_url") || key.ends_with("Url")
}

/// `value` is `base` plus a path, template, query or extension; or equals
/// `base` when `base` comes first.
fn extends(value: &str, base: &str, base_first: bool) -> bool {
    if value == base {
        return base_first;
    }
    value.len() > base.len()
        && value.starts_with(base)
        && matches!(
            value.as_bytes()[base.len()],
            b'/' | b'{' | b'?' | b'#' | b'.'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_links_under_the_objects_url_and_keeps_the_rest() {
        let mut map: Map<String, Value> = serde_json::from_str(
            r#"{"id":1,"url":"https://api.x.com/repos/o/r","html_url":"https://x.com/o/r",
                "forks_url":"https://api.x.com/repos/o/r/forks","keys_url":"https://api.x.com/repos/o/r/keys{/id}",
                "clone_url":"https://x.com/o/r.git","svn_url":"https://x.com/o/r","ssh_url":"git@x.com:o/r.git",
                "avatar_url":"https://img.x.com/u/1","homepage":"https://api.x.com/repos/o/r/home"}"#,
        )
        .unwrap();
        assert_eq!(drop_derived(&mut map), 4);
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["id", "url", "html_url", "ssh_url", "avatar_url", "homepage"]
        );
    }

    #[test]
    fn a_couple_of_links_are_left_alone() {
        let text = r#"{"url":"https://a.com/x","comments_url":"https://a.com/x/comments","b_url":"https://a.com/x/b"}"#;
        let mut map: Map<String, Value> = serde_json::from_str(text).unwrap();
        assert_eq!(drop_derived(&mut map), 0);
        assert_eq!(Value::Object(map).to_string(), text);
    }
}
