//! Objects repeated verbatim: the same `user`/`owner` record nested in every
//! row of an API response. After the first occurrence (in reading order) a
//! repeat keeps only its identity (a name-like and an id-like field) and a
//! marker saying the rest is the same as above; the reader has just seen it.

use super::markers;
use super::table::{CONST_KEY, MAP_KEY, TABLE_KEY};
use super::Omissions;
use crate::marker::JSON_KEY;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Objects smaller than this are cheaper to repeat than to refer to.
const MIN_FIELDS: usize = 4;
const MIN_BYTES: usize = 120;
/// Fields that name an object, best first; one is kept in a repeat.
const NAME_KEYS: &[&str] = &[
    "login",
    "name",
    "full_name",
    "title",
    "key",
    "slug",
    "tag_name",
    "label",
    "email",
    "sha",
    "path",
    "version",
];
/// Fields that identify an object by number or id; one is kept in a repeat.
const ID_KEYS: &[&str] = &["id", "number", "uid", "uuid"];

/// Replace every repeat of an earlier object by its identity and a marker.
pub fn stub_repeats(value: &mut Value, hash: &str, omitted: &mut Omissions) {
    let mut seen: HashSet<String> = HashSet::new();
    walk(value, &mut seen, hash, omitted);
}

fn walk(value: &mut Value, seen: &mut HashSet<String>, hash: &str, omitted: &mut Omissions) {
    match value {
        Value::Object(map) => {
            if is_candidate(map) {
                let text = serde_json::to_string(map).unwrap_or_default();
                if text.len() >= MIN_BYTES && !seen.insert(text) {
                    *map = stub(map, hash);
                    omitted.repeated_objects += 1;
                    return;
                }
            }
            let is_table = map.contains_key(TABLE_KEY) || map.contains_key(MAP_KEY);
            for (key, child) in map.iter_mut() {
                match child {
                    // A table's `const` is not an object of the data, only
                    // its contents are.
                    Value::Object(consts) if is_table && key == CONST_KEY => {
                        consts
                            .values_mut()
                            .for_each(|v| walk(v, seen, hash, omitted));
                    }
                    _ => walk(child, seen, hash, omitted),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk(v, seen, hash, omitted)),
        _ => {}
    }
}

/// Large enough, and not Headroom's own structure (a table, or a marker
/// alone). Objects carrying a marker entry (link fields omitted) qualify.
fn is_candidate(map: &Map<String, Value>) -> bool {
    map.len() >= MIN_FIELDS && !map.contains_key(TABLE_KEY) && !map.contains_key(MAP_KEY)
}

/// Marker entries are not fields of the original object.
fn original_fields(map: &Map<String, Value>) -> usize {
    let marker = map
        .get(JSON_KEY)
        .map_or(0, |v| if v.is_string() { 2 } else { 1 });
    map.len() - marker
}

fn stub(map: &Map<String, Value>, hash: &str) -> Map<String, Value> {
    let scalar = |key: &&'static str| {
        map.get(*key)
            .filter(|v| v.is_string() || v.is_number())
            .map(|v| (*key, v))
    };
    let name = NAME_KEYS.iter().find_map(scalar);
    let id = ID_KEYS.iter().find_map(scalar);
    let mut out = Map::new();
    for (key, value) in name.into_iter().chain(id) {
        out.insert(key.to_string(), value.clone());
    }
    let text = format!(
        "{} fields omitted (same as above)",
        original_fields(map) - out.len()
    );
    markers::insert_entries(&mut out, usize::MAX, &text, hash);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn second_occurrence_keeps_its_identity_and_a_marker() {
        let user = json!({"login": "octo", "id": 7, "type": "User", "site_admin": false,
                          "html_url": "https://github.com/octo", "avatar_url": "https://avatars.example/u/7"});
        let mut doc = json!([{"n": 1, "user": user}, {"n": 2, "user": user}]);
        let mut omitted = Omissions::default();
        stub_repeats(&mut doc, "h", &mut omitted);
        assert_eq!(doc[0]["user"], user);
        assert_eq!(
            doc[1]["user"],
            json!({"login": "octo", "id": 7, "_headroom": "4 fields omitted (same as above)", "retrieve": "h"})
        );
        assert_eq!(omitted.repeated_objects, 1);
    }
}
