//! The message-level check of one agent trajectory: every turn, in every
//! request format and both modes, through `compress_messages`. Proves prefix
//! stability across turns (prompt caches keep hitting), determinism,
//! idempotence, that only tool-output bytes change, and that every marker
//! can be retrieved. The last turn is snapshotted: its tool outputs as the
//! model sees them (Anthropic format, balanced), and per format and mode
//! the token counts and hashes.

use crate::corpus;
use crate::golden::modes;
use crate::traces::{self, Conversation, Format};
use crate::{retrieval, snapshot, splice};
use headroom_core::{compress_messages, marker, Options};

/// Stop collecting problems for one format and mode after this many.
const MAX_PROBLEMS: usize = 12;

/// Check the trajectory `rel` (`agent_traces/<file>`); panics with every
/// problem found.
pub fn check(rel: &str) {
    let fixture = corpus::fixture(rel).unwrap_or_else(|e| panic!("{e}"));
    let text = fixture.read().unwrap_or_else(|e| panic!("{e}"));
    let conversation =
        Conversation::from_trajectory(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert!(conversation.turns() > 0, "{rel}: no tool exchanges found");
    let mut problems = Vec::new();
    for format in Format::ALL {
        for (mode, options) in modes() {
            let found = check_turns(&conversation, format, &options);
            problems.extend(
                found
                    .into_iter()
                    .map(|p| format!("[{} {mode}] {p}", format.name())),
            );
        }
    }
    problems.extend(snapshot_problems(&fixture, &conversation));
    assert!(
        problems.is_empty(),
        "{rel}: {} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

/// Compare the last turn with the snapshots `<name>.out` (every tool output
/// of the Anthropic body after compression, balanced) and `<name>.meta.json`
/// (per format and mode: tokens, transforms, hashes).
fn snapshot_problems(fixture: &corpus::Fixture, conversation: &Conversation) -> Vec<String> {
    let last = conversation.turns();
    let mut found = Vec::new();
    let mut meta = serde_json::Map::new();
    let mut outputs_text = None;
    for format in Format::ALL {
        let mut per_mode = serde_json::Map::new();
        for (mode, options) in modes() {
            let body = traces::body(conversation, format, last);
            let Ok(result) = compress_messages(&body.json, &options) else {
                found.push(format!("[{} {mode}] last turn failed", format.name()));
                continue;
            };
            let compressed = result.blocks.iter().filter(|b| b.compressed).count();
            per_mode.insert(
                mode.into(),
                serde_json::json!({
                    "outputs": result.blocks.len(),
                    "compressed": compressed,
                    "tokensBefore": result.tokens_before,
                    "tokensAfter": result.tokens_after,
                    "transforms": result.transforms,
                    "ccr": result.ccr.iter().map(|e| e.hash.clone()).collect::<Vec<_>>(),
                }),
            );
            if format == Format::Anthropic && mode == "balanced" {
                match splice::outputs_in(&body.json, &body.outputs, &result.body) {
                    Err(e) => found.push(format!("[snapshot] {e}")),
                    Ok(replaced) => {
                        let mut text = String::new();
                        for (i, (now, block)) in replaced.iter().zip(&result.blocks).enumerate() {
                            text.push_str(&format!(
                                "===== tool output {} of {} ({}, {} -> {} tokens)\n",
                                i + 1,
                                replaced.len(),
                                block.kind,
                                block.tokens_before,
                                block.tokens_after
                            ));
                            text.push_str(&now.text);
                            if !now.text.ends_with('\n') {
                                text.push('\n');
                            }
                        }
                        outputs_text = Some(text);
                    }
                }
            }
        }
        meta.insert(format.name().into(), serde_json::Value::Object(per_mode));
    }
    let dir = snapshot::dir().join(&fixture.category);
    if let Some(text) = outputs_text {
        let path = dir.join(format!("{}.out", fixture.name));
        if let Err(e) = snapshot::check(&path, &text) {
            found.push(e);
        }
    }
    let meta_text = serde_json::to_string_pretty(&serde_json::Value::Object(meta))
        .expect("meta serializes")
        + "\n";
    if let Err(e) = snapshot::check(&dir.join(format!("{}.meta.json", fixture.name)), &meta_text) {
        found.push(e);
    }
    found
}

/// Compress every turn of `conversation` written in `format`.
pub fn check_turns(conversation: &Conversation, format: Format, options: &Options) -> Vec<String> {
    let mut found = Vec::new();
    let mut previous: Option<String> = None;
    for turn in 1..=conversation.turns() {
        if found.len() >= MAX_PROBLEMS {
            found.push("(stopped after too many problems)".into());
            break;
        }
        let body = traces::body(conversation, format, turn);
        let result = match compress_messages(&body.json, options) {
            Ok(result) => result,
            Err(e) => {
                found.push(format!("turn {turn}: compress_messages failed: {e}"));
                break;
            }
        };
        let problem = |what: String| format!("turn {turn}: {what}");
        match compress_messages(&body.json, options) {
            Ok(again) if again == result => {}
            _ => found.push(problem("not deterministic".into())),
        }
        match compress_messages(&result.body, options) {
            Ok(again) if again.body == result.body => {}
            Ok(again) => found.push(problem(format!(
                "not idempotent: {}",
                crate::snapshot::first_difference(&result.body, &again.body)
            ))),
            Err(e) => found.push(problem(format!(
                "compressing the compressed body failed: {e}"
            ))),
        }
        if result.tokens_after > result.tokens_before {
            found.push(problem(format!(
                "tokens grew: {} -> {}",
                result.tokens_before, result.tokens_after
            )));
        }
        found.extend(
            retrieval::entry_problems(&result.ccr)
                .into_iter()
                .map(&problem),
        );
        let lossless = !options.ccr;
        match splice::outputs_in(&body.json, &body.outputs, &result.body) {
            Err(e) => found.push(problem(e)),
            Ok(replaced) => {
                let mut named = Vec::new();
                for (original, now) in body.texts.iter().zip(&replaced) {
                    if &now.text != original {
                        let lost = retrieval::problems(original, &now.text, &result.ccr, lossless);
                        found.extend(lost.into_iter().map(&problem));
                    }
                    named.extend(marker::find_hashes(&now.text));
                }
                for entry in &result.ccr {
                    if !named.contains(&entry.hash) {
                        found.push(problem(format!(
                            "CCR entry {} is not named by any marker",
                            entry.hash
                        )));
                    }
                }
            }
        }
        if let Some(previous) = &previous {
            let open = previous.strip_suffix("]}").unwrap_or(previous);
            if !result.body.starts_with(open) {
                let same = open
                    .bytes()
                    .zip(result.body.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                let context = result
                    .body
                    .get(same..(same + 80).min(result.body.len()))
                    .unwrap_or("");
                found.push(problem(format!(
                    "previous turn's compressed body is not a prefix (diverges at byte {same}: {context:?})"
                )));
            }
        }
        previous = Some(result.body);
    }
    found
}
