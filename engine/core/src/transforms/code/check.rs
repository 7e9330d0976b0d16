//! Parsing, and the promise that compressed code still parses: the output
//! is parsed again and refused if it has more syntax errors than the input
//! (none, for a whole file; a chunk cut out of a file may start with some).

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

/// Number of syntax errors (error and missing nodes) in a tree. Only
/// subtrees that contain an error are visited.
pub fn error_count(tree: &Tree) -> usize {
    let root = tree.root_node();
    if !root.has_error() {
        return 0;
    }
    let mut count = 0;
    let mut stack: Vec<Node> = vec![root];
    let mut cursor = root.walk();
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            count += 1;
        }
        stack.extend(node.children(&mut cursor).filter(|c| c.has_error()));
    }
    count
}

/// The text the model will see, beneath any line-number prefixes: kept
/// lines' content, the stand-in lines, and a block-marker stand-in behind the
/// language's comment prefix.
pub fn output_source(lines: &Lines, plan: &Plan) -> String {
    let mut out = String::new();
    if let Some(prefix) = &plan.marker_prefix {
        out.push_str(prefix);
        out.push_str("[headroom: block marker]\n");
    }
    for item in &plan.items {
        match item {
            Item::Keep(idx) | Item::Repeat { idx, .. } => out.push_str(lines.content[*idx]),
            Item::Omit {
                text: Some(text), ..
            }
            | Item::Note(text) => out.push_str(text),
            Item::Omit { count, text: None } => out.push_str(&marker::gap(*count)),
        }
        out.push('\n');
    }
    out
}

/// True when `output` parses with no more errors than the original had.
pub fn still_parses(lang: Lang, output: &str, original_errors: usize) -> bool {
    parse(lang, output).is_some_and(|tree| error_count(&tree) <= original_errors)
}
