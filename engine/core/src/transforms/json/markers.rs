//! The two places a JSON marker can go: as an element of an array (a marker
//! value), or as entries of an object (an object cannot hold a foreign
//! value, only keys). Both follow the grammar of [`crate::marker`].

use crate::marker::{self, JSON_KEY};
use serde_json::{Map, Value};

const RETRIEVE_KEY: &str = "retrieve";

/// The marker value for an array: `{"_headroom":"<what> omitted","retrieve":"<hash>"}`.
pub fn value(what: &str, hash: &str) -> Value {
    marker::json_value(what, hash)
}

/// The marker entries for an object, to insert at `index`:
/// `"_headroom":"<text>","retrieve":"<hash>"` (`text` says what was omitted,
/// e.g. `"2951 of 2963 entries omitted"`). When the object
/// already has a `retrieve` key, `_headroom` holds the whole marker value
/// instead, so no original entry is overwritten.
pub fn insert_entries(map: &mut Map<String, Value>, index: usize, text: &str, hash: &str) {
    let index = index.min(map.len());
    if map.contains_key(RETRIEVE_KEY) {
        let mut nested = Map::new();
        nested.insert(JSON_KEY.to_string(), Value::String(text.to_string()));
        nested.insert(RETRIEVE_KEY.to_string(), Value::String(hash.to_string()));
        map.shift_insert(index, JSON_KEY.to_string(), Value::Object(nested));
    } else {
        map.shift_insert(index, JSON_KEY.to_string(), Value::String(text.to_string()));
        map.shift_insert(
            index + 1,
            RETRIEVE_KEY.to_string(),
            Value::String(hash.to_string()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "0123456789abcdef01234567";

    #[test]
    fn object_entries_never_overwrite_an_original_retrieve_key() {
        let mut map: Map<String, Value> = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
        insert_entries(&mut map, 1, "3 of 5 entries omitted", HASH);
        assert_eq!(
            Value::Object(map).to_string(),
            r#"{"a":1,"_headroom":"3 of 5 entries omitted","retrieve":"0123456789abcdef01234567","b":2}"#
        );
        let mut map: Map<String, Value> = serde_json::from_str(r#"{"retrieve":"x"}"#).unwrap();
        insert_entries(&mut map, 9, "3 of 4 entries omitted", HASH);
        assert_eq!(
            Value::Object(map).to_string(),
            r#"{"retrieve":"x","_headroom":{"_headroom":"3 of 4 entries omitted","retrieve":"0123456789abcdef01234567"}}"#
        );
    }
}
