//! The promises of the json transform, checked on every JSON file of the
//! real corpus: valid JSON out, deterministic, idempotent, lossless mode
//! loses nothing (the table forms expand back to the original value), error
//! rows and query rows survive the lossy stage.

use super::table::{CONST_KEY, MAP_KEY, ROWS_KEY, TABLE_KEY};
use crate::options::Options;
use crate::pipeline::{compress_text, TextResult, ToolContext};
use crate::transforms::corpus;
use serde_json::{json, Map, Value};

/// Undo the table forms (the reader's side of [`super::table`]).
fn expand(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(expand).collect()),
        Value::Object(map) if map.contains_key(TABLE_KEY) => {
            let (columns, consts, rows) = parts(map, TABLE_KEY);
            Value::Array(
                rows.iter()
                    .map(|row| match row {
                        Value::Array(cells) => Value::Object(record(&columns, &consts, cells)),
                        other => expand(other),
                    })
                    .collect(),
            )
        }
        Value::Object(map) if map.contains_key(MAP_KEY) => {
            let (columns, consts, rows) = parts(map, MAP_KEY);
            let mut out = Map::new();
            for row in rows {
                match row {
                    Value::Array(cells) => {
                        let key = cells[0].as_str().expect("map row key").to_string();
                        out.insert(key, Value::Object(record(&columns, &consts, &cells[1..])));
                    }
                    Value::Object(entries) => {
                        out.extend(entries.iter().map(|(k, v)| (k.clone(), expand(v))));
                    }
                    other => panic!("bad map row {other}"),
                }
            }
            Value::Object(out)
        }
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), expand(v))).collect())
        }
        other => other.clone(),
    }
}

fn parts<'a>(
    map: &'a Map<String, Value>,
    key: &str,
) -> (Vec<&'a str>, Map<String, Value>, &'a Vec<Value>) {
    let columns = map[key]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c.as_str().expect("column"))
        .collect();
    let consts = map
        .get(CONST_KEY)
        .map(|c| c.as_object().expect("const").clone())
        .unwrap_or_default();
    let rows = map[ROWS_KEY].as_array().expect("rows");
    (columns, consts, rows)
}

/// One row of a table: its cells, plus `const` (whole columns, or the
/// shared fields of a column also listed in the header).
fn record(columns: &[&str], consts: &Map<String, Value>, cells: &[Value]) -> Map<String, Value> {
    assert_eq!(columns.len(), cells.len(), "row width");
    let mut out: Map<String, Value> = columns
        .iter()
        .zip(cells)
        .map(|(c, v)| (c.to_string(), expand(v)))
        .collect();
    for (key, value) in consts {
        match (out.get_mut(key), expand(value)) {
            (Some(Value::Object(cell)), Value::Object(shared)) => cell.extend(shared),
            (None, value) => {
                out.insert(key.clone(), value);
            }
            (Some(cell), _) => panic!("const {key} collides with cell {cell}"),
        }
    }
    out
}

fn lossless() -> Options {
    Options {
        ccr: false,
        ..Options::default()
    }
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", &text[..text.len().min(300)]))
}

/// Compressing `result`'s output again must give it back unchanged.
fn assert_idempotent(name: &str, result: &TextResult, tool: &ToolContext, options: &Options) {
    let again = compress_text(&result.text, tool, options);
    assert_eq!(again.text, result.text, "{name}: not idempotent");
}

#[test]
fn every_corpus_file_stays_valid_deterministic_and_idempotent() {
    for case in corpus::cases("json") {
        let options = Options::default();
        let first = compress_text(&case.text, &case.tool, &options);
        assert!(first.compressed, "{}: not compressed", case.name);
        assert_eq!(first.kind, "json", "{}", case.name);
        parse(&first.text);
        assert_eq!(
            compress_text(&case.text, &case.tool, &options),
            first,
            "{}: not deterministic",
            case.name
        );
        assert_idempotent(&case.name, &first, &case.tool, &options);
        // Whatever was omitted is retrievable: the original is stored and
        // every marker names its hash.
        let ccr = first
            .ccr
            .as_ref()
            .unwrap_or_else(|| panic!("{}: lossy output without ccr", case.name));
        assert_eq!(ccr.original, case.text);
        assert_eq!(
            crate::marker::find_hashes(&first.text),
            vec![ccr.hash.clone()],
            "{}",
            case.name
        );
    }
}

#[test]
fn lossless_mode_expands_back_to_the_original_value() {
    for case in corpus::cases("json") {
        let result = compress_text(&case.text, &case.tool, &lossless());
        assert!(
            result.ccr.is_none(),
            "{}: lossless mode stored an original",
            case.name
        );
        let output = parse(&result.text);
        assert_eq!(
            expand(&output),
            parse(&case.text),
            "{}: information lost",
            case.name
        );
        assert!(
            crate::marker::find_hashes(&result.text).is_empty(),
            "{}",
            case.name
        );
        assert_idempotent(&case.name, &result, &case.tool, &lossless());
    }
}

#[test]
fn lossless_output_without_tables_is_a_fixpoint_of_the_transform() {
    let text = "{\n  \"name\": \"x\",\n  \"n\": 1.50,\n  \"s\": \"\\u00e9\\/\"\n}";
    let ctx_query = crate::query::Query::default();
    let ctx = crate::transforms::Ctx {
        params: crate::options::Params::default(),
        query: &ctx_query,
        lossless_only: true,
        hash: "0123456789abcdef01234567",
        file_path: None,
        tool_name: None,
    };
    let super::Outcome::Text {
        text: once,
        omitted: None,
    } = super::compress(text, &ctx)
    else {
        panic!("expected lossless text")
    };
    assert_eq!(
        once, r#"{"name":"x","n":1.50,"s":"é/"}"#,
        "numbers keep their text"
    );
    assert_eq!(super::compress(&once, &ctx), super::Outcome::Unchanged);
}

/// The elements of the (expanded) output array that are objects.
fn records(text: &str) -> Vec<Value> {
    match expand(&parse(text)) {
        Value::Array(items) => items,
        other => panic!("not an array: {other}"),
    }
}

#[test]
fn error_scenarios_keep_their_status_and_message() {
    let case = corpus::cases("json")
        .into_iter()
        .find(|c| c.name == "octokit_errors.json")
        .expect("corpus file");
    let result = compress_text(&case.text, &case.tool, &Options::default());
    assert!(result.compressed);
    let failing: Vec<Value> = records(&result.text)
        .into_iter()
        .filter(|r| r["status"] == json!(422))
        .collect();
    assert_eq!(failing.len(), 1, "{}", result.text);
    assert_eq!(failing[0]["response"]["message"], "Validation Failed");
    assert_eq!(
        failing[0]["response"]["errors"],
        json!([{"resource": "Label", "code": "invalid", "field": "color"}])
    );
}

#[test]
fn error_rows_survive_in_a_long_array() {
    // 300 recorded requests, two of them failing.
    let mut rows: Vec<Value> = (0..300)
        .map(|i| json!({"method": "get", "path": format!("/repos/o/r/issues/{i}"), "status": 200, "ms": 20 + i % 7}))
        .collect();
    rows[123]["status"] = json!(404);
    rows[123]["response"] = json!({"message": "Not Found"});
    rows[250]["status"] = json!(500);
    let text = serde_json::to_string_pretty(&rows).unwrap();
    let result = compress_text(&text, &ToolContext::default(), &Options::default());
    let kept = records(&result.text);
    assert!(
        kept.contains(&rows[123]) && kept.contains(&rows[250]),
        "{}",
        result.text
    );
    assert!(kept.len() < 30, "{}", result.text);
    let markers: Vec<&Value> = kept
        .iter()
        .filter(|r| r.get("_headroom").is_some())
        .collect();
    assert!(markers.iter().all(|m| m["_headroom"]
        .as_str()
        .unwrap()
        .ends_with(" of 300 items omitted")));
    assert!(result.ccr.unwrap().omitted.contains(" of 300 items"));
}

#[test]
fn query_rows_are_kept() {
    let case = corpus::cases("json")
        .into_iter()
        .find(|c| c.name == "pip_list_headroom_venv.json")
        .expect("corpus");
    let plain = compress_text(&case.text, &case.tool, &Options::default());
    assert!(
        !plain.text.contains("\"opentelemetry-api\""),
        "row should be omitted without a query"
    );
    let tool = ToolContext {
        user_text: Some("is opentelemetry-api installed?".into()),
        ..case.tool.clone()
    };
    let asked = compress_text(&case.text, &tool, &Options::default());
    assert!(
        asked.text.contains("\"opentelemetry-api\""),
        "{}",
        asked.text
    );

    let react = corpus::cases("json")
        .into_iter()
        .find(|c| c.name == "npm_view_react.json")
        .expect("corpus");
    let tool = ToolContext {
        user_text: Some("when was 0.0.0-0c756fb-697f004 published?".into()),
        ..react.tool
    };
    let asked = compress_text(&react.text, &tool, &Options::default());
    // Kept in the `versions` array and in the `time` map.
    assert_eq!(
        asked.text.matches("0.0.0-0c756fb-697f004").count(),
        2,
        "{}",
        &asked.text[..2000]
    );
}

#[test]
fn long_strings_are_cut_with_a_note_only_when_lossy() {
    let readme = "word ".repeat(4000);
    let text = json!({"name": "pkg", "readme": readme}).to_string();
    let lossy = compress_text(&text, &ToolContext::default(), &Options::default());
    let value = parse(&lossy.text);
    let cut = value["readme"].as_str().unwrap();
    assert!(
        cut.ends_with(" chars omitted]") && cut.contains("… [headroom: "),
        "{cut}"
    );
    assert!(cut.len() < 1000);
    let kept = compress_text(&text, &ToolContext::default(), &lossless());
    assert!(!kept.compressed, "nothing lossless to gain");
}

/// `cargo test --release -p headroom-core json::tests::savings -- --ignored --nocapture`
#[test]
#[ignore = "measurement: prints the savings table and the transform speed"]
fn savings() {
    let (mut before, mut after, mut lossless_after, mut piece_before, mut piece_after) =
        (0, 0, 0, 0, 0);
    println!("| file | tokens | balanced | saved | lossless | saved | pieces (json ones) saved |");
    for case in corpus::cases("json") {
        let whole = corpus::run(&case.text, &case.tool);
        let exact = compress_text(&case.text, &case.tool, &lossless());
        let (mut pb, mut pa, mut json_pieces, mut n) = (0, 0, 0, 0);
        for piece in corpus::pieces(&case.text) {
            let r = corpus::run(piece, &case.tool);
            pb += r.tokens_before;
            pa += r.tokens_after;
            json_pieces += usize::from(r.kind == "json");
            n += 1;
        }
        let pct = |a: usize, b: usize| 100.0 * (1.0 - a as f64 / b as f64);
        println!(
            "| {} | {} | {} | {:.1}% | {} | {:.1}% | {:.1}% ({json_pieces}/{n} json) |",
            case.name,
            whole.tokens_before,
            whole.tokens_after,
            pct(whole.tokens_after, whole.tokens_before),
            exact.tokens_after,
            pct(exact.tokens_after, exact.tokens_before),
            pct(pa, pb)
        );
        before += whole.tokens_before;
        after += whole.tokens_after;
        lossless_after += exact.tokens_after;
        piece_before += pb;
        piece_after += pa;
    }
    let pct = |a: usize, b: usize| 100.0 * (1.0 - a as f64 / b as f64);
    println!(
        "| total | {before} | {after} | {:.1}% | {lossless_after} | {:.1}% | {:.1}% |",
        pct(after, before),
        pct(lossless_after, before),
        pct(piece_after, piece_before)
    );

    let texts: Vec<String> = corpus::cases("json").into_iter().map(|c| c.text).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let query = crate::query::Query::from_texts(["npm view react --json"]);
    for lossless_only in [false, true] {
        let ctx = crate::transforms::Ctx {
            params: crate::options::Params::default(),
            query: &query,
            lossless_only,
            hash: "0123456789abcdef01234567",
            file_path: None,
            tool_name: None,
        };
        let rounds = 20;
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            for text in &texts {
                std::hint::black_box(super::compress(text, &ctx));
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "speed (lossless_only={lossless_only}): {:.1} MB/s",
            (bytes * rounds) as f64 / secs / 1e6
        );
    }
}
