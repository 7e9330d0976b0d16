use super::*;
use crate::hash::content_hash;
use crate::marker::{self, RETRIEVE_TOOL};
use crate::options::Options;
use crate::pipeline::{compress_text, ToolContext};
use crate::query::Query;
use crate::transforms::corpus::{self, Targets};
use tree_sitter::Node;

/// Run the transform's decision directly (balanced profile, CCR on).
fn run(text: &str, path: Option<&str>, query: &Query) -> Result<Outlined, Declined> {
    let lines = Lines::parse(text);
    let hash = content_hash(text);
    let ctx = Ctx {
        params: Options::default().params(),
        query,
        lossless_only: false,
        hash: &hash,
        file_path: path,
        tool_name: None,
    };
    outline(&lines, &ctx)
}

/// A Read-tool call for `path`, with the user's `question` before it.
fn read_call(path: &str, question: Option<&str>) -> ToolContext {
    ToolContext {
        tool_name: Some("Read".into()),
        tool_args: Some(serde_json::json!({ "file_path": path }).to_string()),
        user_text: question.map(str::to_string),
    }
}

/// Rows of the input that the plan leaves out.
fn omitted_rows(plan: &Plan, rows: usize) -> Vec<bool> {
    let mut omitted = vec![false; rows];
    let mut row = 0;
    for item in &plan.items {
        match item {
            Item::Keep(idx) | Item::Repeat { idx, .. } => row = idx + 1,
            Item::Omit { count, .. } => {
                omitted[row..row + count].fill(true);
                row += count;
            }
            Item::Note(_) => {}
        }
    }
    omitted
}

/// Functions not nested in another function, with the rows of their
/// signature (first row to the row where the body opens). In a piece that
/// starts inside a body (`in_body`), closures and lambdas may belong to that
/// body, which goes: only declared functions count.
fn outer_signatures(lang: Lang, tree: &tree_sitter::Tree, in_body: bool) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut stack: Vec<Node> = vec![tree.root_node()];
    let mut cursor = tree.walk();
    while let Some(node) = stack.pop() {
        if in_body && lang.is_anonymous_function(node.kind()) {
            continue;
        }
        if lang.is_function(node.kind()) {
            if let Some(body) = node.child_by_field_name("body") {
                // Python's body starts at its first statement, after the `:`.
                let last = match body.prev_sibling() {
                    Some(colon) if lang == Lang::Python => colon.end_position().row,
                    _ => body.start_position().row,
                };
                found.push((node.start_position().row, last));
            }
            continue;
        }
        stack.extend(node.children(&mut cursor));
    }
    found
}

/// The promises on one compressed source: the output (as the pipeline
/// writes it) has no syntax error the input lacked, every signature of a
/// function not nested in another is kept, and every stand-in line names the
/// retrieval hash.
fn assert_sound(name: &str, text: &str, path: Option<&str>, done: &Outlined) {
    let lines = Lines::parse(text);
    let plain = lines.content_text();
    // A piece from inside a class is judged as the transform read it.
    let (prefix, suffix, source) = match &done.wrapper {
        Some(w) => (w.prefix.clone(), w.suffix.clone(), w.source.clone()),
        None => Default::default(),
    };
    let source = if done.wrapper.is_some() {
        source
    } else {
        plain.clone()
    };
    let wrap = |text: &str| format!("{prefix}{text}{suffix}");
    let input = check::parse(done.lang, &source).expect("grammar loads");
    let input_errors = check::errors(&input);
    let output = check::output(&lines, &done.plan, &plain).wrapped(&prefix, &suffix);
    // (A fresh parse of the output: the transform's own check reuses the
    // input's tree, this one must not.)
    let new = check::new_errors(done.lang, &input_errors, None, &output);
    assert!(new.is_empty(), "{name}: new syntax errors {new:?}");
    let reparsed = check::parse(done.lang, &wrap(&done.output)).expect("grammar loads");
    assert!(
        check::errors(&reparsed).len() <= input_errors.len(),
        "{name}: output has more errors than the input's {}",
        input_errors.len()
    );

    let omitted = omitted_rows(&done.plan, lines.len());
    for (first, last) in outer_signatures(done.lang, &input, !input_errors.is_empty()) {
        // (The wrapper's own method, on the first row, is not the input's.)
        if done.wrapper.is_some() && first == 0 {
            continue;
        }
        if let Some(row) = (first..=last).find(|&row| omitted[row]) {
            panic!(
                "{name}: signature row {row} omitted: {:?}",
                lines.content[row]
            );
        }
    }

    let hash = content_hash(text);
    let stand_ins: Vec<&String> = done
        .plan
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Omit { text, .. } => text.as_ref(),
            _ => None,
        })
        .collect();
    assert!(!stand_ins.is_empty(), "{name}: nothing omitted");
    for line in stand_ins {
        assert!(
            line.contains(&format!("{RETRIEVE_TOOL}(\"{hash}\")")) && line.contains(" omitted · "),
            "{name}: stand-in without the retrieval hash: {line:?}"
        );
    }

    // Through the pipeline, with and without the file's path, the result is
    // the one checked above.
    let tool = path.map_or_else(ToolContext::default, |p| read_call(p, None));
    let result = compress_text(text, &tool, &Options::default());
    assert!(result.compressed, "{name}: pipeline kept the original");
    assert_eq!(result.kind, "code", "{name}");
    assert!(
        result
            .text
            .lines()
            .skip(1)
            .all(|l| !l.starts_with("[headroom")),
        "{name}: generic gap line in source"
    );
}

// ---- small fixtures, one per language ----

/// A fixture: `head` (imports, types), then `count` functions made from
/// `function` (`{name}`, `{body}`) with bodies of `statements` copies of
/// `statement`, then `tail`.
struct Fixture {
    lang: Lang,
    path: &'static str,
    head: &'static str,
    function: &'static str,
    statement: &'static str,
    tail: &'static str,
}

const NAMES: [&str; 5] = [
    "compute_one",
    "compute_two",
    "compute_three",
    "compute_four",
    "compute_five",
];

impl Fixture {
    fn source(&self, statements: usize) -> String {
        let body = self.statement.repeat(statements);
        let mut out = self.head.to_string();
        for name in NAMES {
            out.push_str(
                &self
                    .function
                    .replace("{name}", name)
                    .replace("{body}", &body),
            );
        }
        out.push_str(self.tail);
        out
    }
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        lang: Lang::Python,
        path: "store.py",
        head: "import os\nfrom typing import List\n\nLIMIT = 10\n\n\nclass Store:\n    \"\"\"Keeps totals.\"\"\"\n\n",
        function: "    @staticmethod\n    def {name}(items: List[int]) -> int:\n        \"\"\"Add up the items.\"\"\"\n        total = 0\n{body}        return total\n\n",
        statement: "        total += len(items) * LIMIT\n",
        tail: "",
    },
    Fixture {
        lang: Lang::JavaScript,
        path: "store.js",
        head: "const fs = require('fs');\n\nclass Store {\n",
        function: "  /** Add up the items. */\n  {name}(items) {\n    let total = 0;\n{body}    return total;\n  }\n\n",
        statement: "    total += items.length === 0 ? 1 : items.length;\n",
        tail: "}\n\nmodule.exports = Store;\n",
    },
    Fixture {
        lang: Lang::TypeScript,
        path: "store.ts",
        head: "import { readFileSync } from 'fs';\n\nexport interface Item {\n  size: number;\n}\n\nexport class Store {\n",
        function: "  /** Add up the items. */\n  {name}(items: Item[]): number {\n    let total = 0;\n{body}    return total;\n  }\n\n",
        statement: "    total += items.length as number;\n",
        tail: "}\n",
    },
    Fixture {
        lang: Lang::Tsx,
        path: "Store.tsx",
        head: "import React from 'react';\n\ntype Props = { items: number[] };\n\n",
        function: "export function {name}(props: Props) {\n  let total = 0;\n{body}  return <div className=\"total\">{total}</div>;\n}\n\n",
        statement: "  total += props.items.length;\n",
        tail: "",
    },
    Fixture {
        lang: Lang::Go,
        path: "store.go",
        head: "package store\n\nimport \"fmt\"\n\n// Store keeps totals.\ntype Store struct {\n\tlimit int\n}\n\n",
        function: "// {name} adds up the items.\nfunc (s *Store) {name}(items []int) int {\n\ttotal := 0\n{body}\treturn total\n}\n\n",
        statement: "\ttotal += len(items) * s.limit\n",
        tail: "func show() { fmt.Println(1) }\n",
    },
    Fixture {
        lang: Lang::Rust,
        path: "store.rs",
        head: "use std::collections::HashMap;\n\n/// Keeps totals.\npub struct Store {\n    limit: u32,\n}\n\nimpl Store {\n",
        function: "    /// Adds up the items.\n    pub fn {name}(&self, items: &[u32]) -> u32 {\n        let mut total = 0;\n{body}        total\n    }\n\n",
        statement: "        total += items.len() as u32 * self.limit;\n",
        tail: "}\n\nfn unused(_: HashMap<u32, u32>) {}\n",
    },
    Fixture {
        lang: Lang::Java,
        path: "Store.java",
        head: "package a.b;\n\nimport java.util.List;\n\n/** Keeps totals. */\npublic class Store {\n  private final int limit = 3;\n\n",
        function: "  /** Adds up the items. */\n  @Deprecated\n  public int {name}(List<Integer> items) {\n    int total = 0;\n{body}    return total;\n  }\n\n",
        statement: "    total += items.size() * limit;\n",
        tail: "}\n",
    },
    Fixture {
        lang: Lang::C,
        path: "store.c",
        head: "#include <stdio.h>\n#include \"store.h\"\n\n#define LIMIT 3\n\nstruct store {\n  int limit;\n};\n\n",
        function: "/* Adds up the items. */\nint {name}(const struct store *s, const int *items, int n) {\n  int total = 0;\n{body}  return total;\n}\n\n",
        statement: "  total += n * s->limit;\n",
        tail: "",
    },
    Fixture {
        lang: Lang::Cpp,
        path: "store.cc",
        head: "#include <vector>\n#include \"store.h\"\n\nnamespace store {\n\nclass Store {\n public:\n  int limit = 3;\n};\n\n",
        function: "// Adds up the items.\nint {name}(const Store& s, const std::vector<int>& items) {\n  int total = 0;\n{body}  return total;\n}\n\n",
        statement: "  total += static_cast<int>(items.size()) * s.limit;\n",
        tail: "}  // namespace store\n",
    },
];

#[test]
fn every_language_keeps_signatures_and_still_parses() {
    let none = Query::default();
    for f in FIXTURES {
        let text = f.source(15);
        let tree = check::parse(f.lang, &text).unwrap();
        assert!(
            check::errors(&tree).is_empty(),
            "{}: fixture does not parse",
            f.path
        );
        let done = run(&text, Some(f.path), &none)
            .unwrap_or_else(|e| panic!("{}: declined: {e:?}", f.path));
        assert_eq!(done.lang, f.lang, "{}", f.path);
        assert_eq!(done.input_errors, 0, "{}", f.path);
        assert_sound(f.path, &text, Some(f.path), &done);
        // The output parses with no error at all, and every function lost
        // its body but kept its name.
        let reparsed = check::parse(f.lang, &done.output).unwrap();
        assert!(check::errors(&reparsed).is_empty(), "{}", f.path);
        for name in NAMES {
            assert!(done.output.contains(name), "{}: {name} lost", f.path);
        }
        let bodies = done.output.matches(f.statement.trim()).count();
        assert_eq!(bodies, 0, "{}: a long body was kept", f.path);
        // Without the path, the content says which language it is.
        let guessed = run(&text, None, &none)
            .unwrap_or_else(|e| panic!("{}: declined without path: {e:?}", f.path));
        assert_eq!(guessed.plan, done.plan, "{}: content detection", f.path);
    }
}

#[test]
fn short_bodies_and_small_files_are_kept_whole() {
    let none = Query::default();
    for f in FIXTURES {
        // Bodies of 2 statements are short: nothing worth leaving out.
        let short = f.source(2) + &"\n".repeat(80);
        assert_eq!(
            run(&short, Some(f.path), &none).map(|d| d.plan),
            Err(Declined::NothingToElide),
            "{}",
            f.path
        );
        // A small file is kept whole, however long its bodies.
        let small: String = f
            .source(15)
            .lines()
            .take(60)
            .map(|l| l.to_string() + "\n")
            .collect();
        assert_eq!(
            run(&small, Some(f.path), &none).map(|d| d.plan),
            Err(Declined::Size),
            "{}",
            f.path
        );
    }
}

#[test]
fn python_stand_in_keeps_the_body_valid() {
    let f = &FIXTURES[0];
    let text = f.source(15);
    let done = run(&text, Some(f.path), &Query::default()).unwrap();
    let hash = content_hash(&text);
    let expected = format!("        ...  # {}", marker::elision(17, &hash));
    assert!(
        done.output.lines().any(|l| l == expected),
        "no {expected:?} in:\n{}",
        done.output
    );
}

#[test]
fn a_function_the_query_names_keeps_its_body() {
    for f in FIXTURES {
        let text = f.source(15);
        let question = "why does compute_three return the wrong total?";
        let query = Query::from_texts([question]);
        let done = run(&text, Some(f.path), &query).unwrap();
        let body_line = f.statement.trim_end();
        // compute_three's body is whole: all its statements are there.
        assert_eq!(
            done.output.lines().filter(|l| *l == body_line).count(),
            15,
            "{}: compute_three's body not kept whole",
            f.path
        );
        assert!(done.plan.kept.contains("compute_three"), "{}", f.path);
        assert_sound(f.path, &text, Some(f.path), &done);
        // Through the pipeline: the user's question is the query.
        let result = compress_text(
            &text,
            &read_call(f.path, Some(question)),
            &Options::default(),
        );
        assert_eq!(
            result.text.lines().filter(|l| *l == body_line).count(),
            15,
            "{}: pipeline",
            f.path
        );
    }
}

#[test]
fn numbered_lines_keep_their_numbers() {
    let f = &FIXTURES[5];
    let text = f.source(40);
    let numbered: String = text
        .lines()
        .enumerate()
        .map(|(n, l)| format!("{:>6}\t{l}\n", n + 1))
        .collect();
    let result = compress_text(&numbered, &read_call(f.path, None), &Options::default());
    assert!(result.compressed);
    let original: Vec<&str> = numbered.lines().collect();
    let mut stand_ins = 0;
    for line in result.text.lines().skip(1) {
        match line.split_once('\t') {
            Some((n, _)) => {
                let n: usize = n.trim().parse().unwrap();
                assert_eq!(line, original[n - 1]);
            }
            None => {
                assert!(line.contains(RETRIEVE_TOOL), "unnumbered {line:?}");
                stand_ins += 1;
            }
        }
    }
    assert_eq!(stand_ins, NAMES.len());
}

#[test]
fn a_piece_starting_mid_function_gets_no_new_errors() {
    for f in FIXTURES {
        let text = f.source(15);
        // Cut inside the first function's body and inside the last one.
        let lines: Vec<&str> = text.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.contains("compute_one"))
            .unwrap()
            + 5;
        let end = lines
            .iter()
            .rposition(|l| l.contains("compute_five"))
            .unwrap()
            + 6;
        let piece: String = lines[start..end].iter().map(|l| format!("{l}\n")).collect();
        match run(&piece, Some(f.path), &Query::default()) {
            Ok(done) => {
                let braced = f.lang != Lang::Python;
                assert!(!braced || done.input_errors > 0, "{}: not cut", f.path);
                // The rest of the body the piece starts in goes too.
                if matches!(
                    f.lang,
                    Lang::Python | Lang::Go | Lang::Rust | Lang::Java | Lang::C | Lang::Cpp
                ) {
                    assert!(
                        matches!(done.plan.items.first(), Some(Item::Omit { count, .. }) if *count >= 10),
                        "{}: body tail kept: {:?}",
                        f.path,
                        done.plan.items.first()
                    );
                }
                assert_sound(f.path, &piece, Some(f.path), &done);
            }
            Err(Declined::Unparsable { .. }) => {}
            // Cut out of its class, a JavaScript method reads as a call
            // followed by a block: no function left to elide (known limit).
            Err(Declined::NothingToElide)
                if matches!(f.lang, Lang::JavaScript | Lang::TypeScript) => {}
            Err(e) => panic!("{}: {e:?}", f.path),
        }
    }
}

#[test]
fn lossless_mode_and_conservative_numbered_are_declined() {
    let f = &FIXTURES[1];
    let text = f.source(15);
    let lines = Lines::parse(&text);
    let query = Query::default();
    let mut ctx = Ctx {
        params: Options::default().params(),
        query: &query,
        lossless_only: true,
        hash: "h",
        file_path: Some(f.path),
        tool_name: None,
    };
    assert_eq!(outline(&lines, &ctx).err(), Some(Declined::LosslessOnly));
    ctx.lossless_only = false;
    ctx.params = Params::new(Profile::Conservative, 1.0);
    let numbered: String = text
        .lines()
        .enumerate()
        .map(|(n, l)| format!("{}\t{l}\n", n + 1))
        .collect();
    assert_eq!(
        outline(&Lines::parse(&numbered), &ctx).err(),
        Some(Declined::NumberedKeptWhole)
    );
}

#[test]
fn prose_is_not_taken_for_code() {
    let prose = "This is a guide.\n\nIt explains things at length, in sentences.\n".repeat(40);
    assert_eq!(
        run(&prose, None, &Query::default()).err(),
        Some(Declined::UnknownLanguage)
    );
}

// ---- the real corpus ----

#[test]
fn corpus_outputs_parse_and_keep_signatures() {
    let none = Query::default();
    let mut checked = 0;
    for (name, text, tool) in corpus::inputs("code") {
        let path = tool.file_path();
        for path in [path.as_deref(), None] {
            match run(&text, path, &none) {
                Ok(done) => {
                    assert_sound(&name, &text, path, &done);
                    checked += 1;
                }
                // Declining is allowed only for reasons that hold.
                Err(Declined::NothingToElide | Declined::Size) => {}
                Err(Declined::Unparsable { unparsed_bytes, .. }) => {
                    assert!(path.is_none() || name.contains("piece"), "{name}");
                    assert!(unparsed_bytes * UNPARSED_SHARE_LIMIT > text.len());
                }
                Err(e) => panic!("{name} ({path:?}): {e:?}"),
            }
        }
    }
    assert!(checked >= 40, "only {checked} outputs checked");
}

#[test]
fn corpus_savings() {
    // A piece that is the tail of one long function (or a 60-line end of a
    // file) has nothing to elide and is rightly kept whole: pieces are held
    // to the category target together, and each must route to `code`.
    let targets = Targets {
        overall: 0.55,
        each_file: 0.40,
        each_piece: 0.0,
    };
    corpus::assert_savings("code", "code", false, targets);
}

#[test]
fn corpus_invariants() {
    corpus::assert_invariants("code", "code");
}

#[test]
fn a_piece_starting_inside_a_docstring_or_comment_loses_that_tail() {
    let cases = [
        (&FIXTURES[0], "        were processed.\n\n        \"\"\"\n"),
        (&FIXTURES[7], " * the end of a long comment.\n *\n */\n"),
    ];
    for (f, tail) in cases {
        // Enough lines that the unterminated string swallows a lot.
        let text = tail.to_string() + &f.source(15);
        let done = run(&text, Some(f.path), &Query::default())
            .unwrap_or_else(|e| panic!("{}: {e:?}", f.path));
        assert_eq!(
            done.plan.items.first(),
            Some(&Item::Omit {
                count: 3,
                text: Some(format!(
                    "{} {}",
                    f.lang.line_comment(),
                    marker::elision(3, &content_hash(&text))
                )),
            }),
            "{}",
            f.path
        );
        assert_sound(f.path, &text, Some(f.path), &done);
    }
}

#[test]
fn corpus_a_function_the_query_names_keeps_its_body() {
    let none = Query::default();
    for case in corpus::cases("code") {
        let path = case.tool.file_path();
        let done = run(&case.text, path.as_deref(), &none).expect("compresses");
        // The first function whose whole body went, with a distinctive name.
        let lines = Lines::parse(&case.text);
        let tree = check::parse(done.lang, &lines.content_text()).unwrap();
        let omitted = omitted_rows(&done.plan, lines.len());
        let mut stack = vec![tree.root_node()];
        let mut cursor = tree.walk();
        let mut pick = None;
        while let Some(node) = stack.pop() {
            if done.lang.is_function(node.kind()) {
                // Its `name`, or the innermost declarator of a C/C++ function.
                let mut named = node.child_by_field_name("name");
                let mut declarator = node.child_by_field_name("declarator");
                while let Some(d) = declarator {
                    named = Some(d);
                    declarator = d.child_by_field_name("declarator");
                }
                let name = named
                    .and_then(|n| n.utf8_text(case.text.as_bytes()).ok())
                    .map(|n| n.rsplit("::").next().unwrap_or(n))
                    .filter(|n| n.len() >= 6 && !n.contains(['(', ' ']));
                let body = node.child_by_field_name("body");
                if let (Some(name), Some(body)) = (name, body) {
                    let inner = body.start_position().row + 1..body.end_position().row;
                    if inner.len() >= 10 && omitted[inner.start] {
                        pick = Some((name.to_string(), inner));
                        break;
                    }
                }
            }
            let children: Vec<Node> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
        let (name, inner) = pick.unwrap_or_else(|| panic!("{}: no elided function", case.name));
        let question = format!("Why does {name} misbehave?");
        let query = Query::from_texts([question.as_str()]);
        let focused = run(&case.text, path.as_deref(), &query).expect("compresses");
        let omitted = omitted_rows(&focused.plan, lines.len());
        assert!(
            inner.clone().all(|row| !omitted[row]),
            "{}: body of {name} not kept whole",
            case.name
        );
        assert!(focused.plan.kept.contains(&name), "{}: {name}", case.name);
        assert_sound(&case.name, &case.text, path.as_deref(), &focused);
    }
}

#[test]
fn a_gap_must_save_more_than_its_stand_in_costs() {
    let short = ["fn f() {", "// a", "// b", "// c", "}"];
    let long_line = "// a long comment line that says a great deal about nothing";
    let long = ["fn f() {", long_line, long_line, long_line, "}"];
    let elision = Elision {
        first: 1,
        last: 3,
        lead: "// ".into(),
    };
    let hash = "0123456789abcdef01234567";
    let kept_whole: Vec<Item> = (0..5).map(Item::Keep).collect();
    assert_eq!(
        plan_items(&short, std::slice::from_ref(&elision), hash),
        kept_whole
    );
    let items = plan_items(&long, std::slice::from_ref(&elision), hash);
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[1],
        Item::Omit {
            count: 3,
            text: Some(elision.line(hash))
        }
    );
}

#[test]
fn corpus_outputs_of_other_kinds_are_not_taken_for_code() {
    let mut misrouted = Vec::new();
    for category in ["json", "text", "logs", "search", "diff", "test_output"] {
        for (name, text, _) in corpus::inputs(category) {
            if router::detect(&Lines::parse(&text), None) == router::Kind::Code {
                misrouted.push(format!("{category}/{name}"));
            }
        }
    }
    assert!(misrouted.is_empty(), "routed to code: {misrouted:?}");
}

/// The re-parse check reads the output incrementally, over the input's
/// edited tree; that must give exactly the tree a fresh parse gives (same
/// nodes, same syntax errors at the same rows), or the check would judge a
/// different tree than the one it promises about.
#[test]
fn corpus_incremental_reparse_matches_a_fresh_parse() {
    let none = Query::default();
    let (mut compared, mut with_errors) = (0, 0);
    for (name, text, _) in corpus::inputs("code") {
        let Ok(done) = run(&text, None, &none) else {
            continue;
        };
        let lines = Lines::parse(&text);
        let source = lines.content_text();
        let input = check::parse(done.lang, &source).expect("grammar loads");
        let output = check::output(&lines, &done.plan, &source);
        let fresh = check::parse(done.lang, &output.text).expect("grammar loads");
        let reused = check::reparse_reusing(done.lang, &input, &output)
            .unwrap_or_else(|| panic!("{name}: the output's edits are known"));
        assert_eq!(
            fresh.root_node().to_sexp(),
            reused.root_node().to_sexp(),
            "{name}"
        );
        assert_eq!(check::errors(&fresh), check::errors(&reused), "{name}");
        compared += 1;
        with_errors += usize::from(fresh.root_node().has_error());
    }
    assert!(
        compared >= 30 && with_errors >= 10,
        "{compared} {with_errors}"
    );
}

/// A piece cut from inside a JavaScript class (here: inside a method's
/// loop) reads its methods as calls followed by blocks; read inside a class
/// wrapper, their bodies go, and so does the rest of the method it starts in.
#[test]
fn a_piece_from_inside_a_class_loses_its_method_bodies() {
    let mut class = String::from("export class Queue {\n");
    for m in 0..6 {
        class.push_str(&format!(
            "  async step{m}(items) {{\n    for (const item of items) {{\n"
        ));
        for i in 0..12 {
            class.push_str(&format!(
                "      if (item.n === {i}) {{\n        this.total += {i};\n      }}\n"
            ));
        }
        class.push_str("    }\n    return this.total;\n  }\n\n");
    }
    class.push_str("}\n");
    let lines: Vec<&str> = class.lines().collect();
    // From inside step0's loop to the end of the class.
    let piece = lines[10..].join("\n") + "\n";
    let none = Query::default();
    for path in [Some("queue.js"), Some("queue.ts"), None] {
        let done = run(&piece, path, &none).unwrap_or_else(|e| panic!("{path:?}: {e:?}"));
        assert_sound("class piece", &piece, path, &done);
        let output = &done.output;
        for m in 1..6 {
            assert!(
                output.contains(&format!("  async step{m}(items) {{")),
                "{output}"
            );
        }
        assert!(
            !output.contains("this.total += 7"),
            "bodies elided:\n{output}"
        );
        // The rest of step0 went, its closing brace stayed.
        let first_rows: Vec<&str> = output.lines().skip(1).take(2).collect();
        assert!(first_rows[0].contains("lines omitted"), "{output}");
        assert_eq!(first_rows[1], "  }", "{output}");
        assert!(done.wrapper.is_some());
    }
}
