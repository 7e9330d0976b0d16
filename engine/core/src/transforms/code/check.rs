//! Parsing, and the promise that compressed code still parses: the output is
//! parsed again and refused if it has a syntax error the input did not have
//! at the same place. A whole file usually has none; a ~30 KB piece cut out
//! of a file (starting mid-function) has some, which the output may keep but
//! never add to.

use super::language::Lang;
use crate::lines::Lines;
use crate::marker;
use crate::plan::{Item, Plan};
use tree_sitter::{Node, Parser, Tree};

/// Parse `source` as `lang`. `None` only if the grammar cannot be loaded.
pub fn parse(lang: Lang, source: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&lang.grammar()).ok()?;
    parser.parse(source, None)
}

/// Rows `first..=last` covered by one syntax error (an error node, or a
/// missing token on one row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorSpan {
    pub first: usize,
    pub last: usize,
    /// For a missing token, its kind id (`}`, `;`): where the parser reports
    /// it is a guess that moves when unrelated lines go.
    pub missing: Option<u16>,
}

/// The syntax errors (error and missing nodes) of a tree, outermost first.
/// Only subtrees that contain an error are visited, and not the inside of an
/// error node (its own inner errors say nothing more).
pub fn errors(tree: &Tree) -> Vec<ErrorSpan> {
    let root = tree.root_node();
    let mut found = Vec::new();
    if !root.has_error() {
        return found;
    }
    let mut stack: Vec<Node> = vec![root];
    let mut cursor = root.walk();
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            found.push(ErrorSpan {
                first: node.start_position().row,
                last: node.end_position().row,
                missing: node.is_missing().then(|| node.kind_id()),
            });
            continue;
        }
        stack.extend(node.children(&mut cursor).filter(|c| c.has_error()));
    }
    found
}

/// Bytes of `source` the parser could not place in any construct: tokens
/// directly inside error nodes. A parse in the right language of a piece
/// cut out of a file has few (a stray closing brace); the wrong language, or
/// a piece starting inside a string, has many.
pub fn unparsed_bytes(tree: &Tree) -> usize {
    let root = tree.root_node();
    if !root.has_error() {
        return 0;
    }
    let mut bytes = 0;
    let mut stack: Vec<(Node, bool)> = vec![(root, false)];
    let mut cursor = root.walk();
    while let Some((node, in_error)) = stack.pop() {
        if in_error && node.child_count() == 0 {
            // Comments are extras, well understood wherever they are.
            if !node.is_extra() {
                bytes += node.end_byte() - node.start_byte();
            }
            continue;
        }
        let inside = node.is_error();
        stack.extend(
            node.children(&mut cursor)
                .filter(|c| inside || c.has_error())
                .map(|c| (c, inside)),
        );
    }
    bytes
}

/// The text the model will see beneath any line-number prefixes, and for
/// each of its rows the input row it comes from (a stand-in line: the first
/// row it stands for; the block marker line: none).
pub struct Output {
    pub text: String,
    pub origin: Vec<Option<usize>>,
}

/// Render `plan` over the content of `lines` (the block marker as a comment
/// placeholder, as the pipeline will write it).
pub fn output(lines: &Lines, plan: &Plan) -> Output {
    let mut text = String::new();
    let mut origin = Vec::with_capacity(plan.items.len() + 1);
    if let Some(prefix) = &plan.marker_prefix {
        text.push_str(prefix);
        text.push_str("[headroom: block marker]\n");
        // A comment cannot be an error itself, but an error node starting at
        // the top of the file starts on it: it belongs to the first row.
        origin.push(Some(0));
    }
    let mut row = 0;
    for item in &plan.items {
        match item {
            Item::Keep(idx) | Item::Repeat { idx, .. } => {
                text.push_str(lines.content[*idx]);
                row = *idx + 1;
                origin.push(Some(*idx));
            }
            Item::Omit {
                count,
                text: stand_in,
            } => {
                match stand_in {
                    Some(line) => text.push_str(line),
                    None => text.push_str(&marker::gap(*count)),
                }
                origin.push(Some(row));
                row += count;
            }
            Item::Note(note) => {
                text.push_str(note);
                origin.push(None);
            }
        }
        text.push('\n');
    }
    // The end of the text (where a missing closing brace is reported) is
    // the end of the input.
    origin.push(Some(row.max(lines.len())));
    Output { text, origin }
}

/// Syntax errors of `output` that the input did not have: errors beyond the
/// input's count, errors on rows that were not inside an input error, or
/// more missing tokens of a kind than the input lacked.
/// Empty when the output is as sound as the input.
pub fn new_errors(lang: Lang, input: &[ErrorSpan], output: &Output) -> Vec<ErrorSpan> {
    let Some(tree) = parse(lang, &output.text) else {
        return vec![ErrorSpan {
            first: 0,
            last: 0,
            missing: None,
        }];
    };
    let found = errors(&tree);
    let missing =
        |list: &[ErrorSpan], kind: u16| list.iter().filter(|e| e.missing == Some(kind)).count();
    let inherited = |e: &ErrorSpan| {
        if let Some(kind) = e.missing {
            return missing(input, kind) >= missing(&found, kind);
        }
        output
            .origin
            .get(e.first)
            .copied()
            .flatten()
            .is_some_and(|row| input.iter().any(|i| i.first <= row && row <= i.last))
    };
    let mut new: Vec<ErrorSpan> = found.iter().filter(|e| !inherited(e)).copied().collect();
    if new.is_empty() && found.len() > input.len() {
        new = found[input.len()..].to_vec();
    }
    new
}
