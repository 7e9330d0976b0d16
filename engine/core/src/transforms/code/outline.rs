//! Walks a file's syntax tree and decides which whole rows can go: function
//! bodies that are long and not about the task, and the tails of long
//! comments and docstrings. Everything else (imports, types, signatures,
//! decorators, fields, constants) stays.
//!
//! Every proposed elision covers whole rows that lie strictly inside one
//! node, and comes with the start of the line that stands in for it, written
//! so the result still parses: a comment inside braces, `...` in a Python
//! body, plain text inside a comment or docstring.

use super::language::Lang;
use super::relevance::Relevance;
use crate::marker;
use tree_sitter::Node;

/// A run of rows `first..=last` to leave out. The line written instead is
/// `lead` (indentation and whatever makes it valid in its place: `// `,
/// `...  # `, ` * `) followed by the marker grammar's omission text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elision {
    pub first: usize,
    pub last: usize,
    pub lead: String,
}

impl Elision {
    pub fn rows(&self) -> usize {
        self.last + 1 - self.first
    }

    /// The stand-in line, naming `hash` (the original's retrieval hash).
    pub fn line(&self, hash: &str) -> String {
        format!("{}{}", self.lead, marker::elision(self.rows(), hash))
    }
}

/// How much to keep; derived from the profile.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bodies with fewer elidable rows than this are kept whole.
    pub short_body: usize,
    /// Comments and docstrings shorter than this many rows are kept whole.
    pub long_comment: usize,
}

/// What the walk decided.
#[derive(Debug, Default)]
pub struct Outline {
    pub elisions: Vec<Elision>,
    /// Names of long functions kept whole because the query is about them.
    pub relevant: Vec<String>,
}

/// A function whose body could be elided.
struct Candidate<'t> {
    body: Node<'t>,
    name: String,
    /// Rows of the body that can go, and the line standing in for them.
    elision: Option<Elision>,
    /// A leading docstring (Python), shortened separately.
    docstring: Option<Node<'t>>,
}

pub struct Walker<'a> {
    lang: Lang,
    source: &'a [u8],
    lines: &'a [&'a str],
    limits: Limits,
    relevance: &'a Relevance,
}

impl<'a> Walker<'a> {
    pub fn new(
        lang: Lang,
        source: &'a [u8],
        lines: &'a [&'a str],
        limits: Limits,
        relevance: &'a Relevance,
    ) -> Self {
        Self {
            lang,
            source,
            lines,
            limits,
            relevance,
        }
    }

    /// Walk the tree from `root` in document order, with one cursor (no
    /// recursion: deeply nested code must not exhaust the stack, in wasm
    /// least of all; no list of children per node: the walk visits every
    /// node outside the elided bodies, and allocating per node cost more
    /// than the visit).
    pub fn outline(&self, root: Node) -> Outline {
        let mut out = Outline::default();
        let mut comments: Vec<Node> = Vec::new();
        let mut cursor = root.walk();
        loop {
            let descend = self.visit(cursor.node(), &mut out, &mut comments);
            if descend && cursor.goto_first_child() {
                continue;
            }
            if !next_in_document_order(&mut cursor) {
                break;
            }
        }
        out.elisions.extend(self.shorten_comments(&mut comments));
        out.elisions.sort_by_key(|e| e.first);
        out
    }

    /// Decide about one node on the walk; true when the walk should go on
    /// into its children.
    fn visit<'t>(&self, node: Node<'t>, out: &mut Outline, comments: &mut Vec<Node<'t>>) -> bool {
        let kind = node.kind();
        if self.lang.is_comment(kind) {
            comments.push(node);
            return false;
        }
        if self.lang.is_function(kind) {
            if let Some(candidate) = self.candidate(node) {
                return !self.decide(&candidate, out);
            }
        } else if self.is_docstring(node) {
            out.elisions.extend(self.shorten_block(node));
            return false;
        }
        true
    }

    /// Decide about one function; returns false when the walk should go on
    /// into it (no elidable body, or a container of many functions).
    fn decide(&self, c: &Candidate, out: &mut Outline) -> bool {
        let Some(elision) = &c.elision else {
            return false;
        };
        let long = elision.rows() >= self.limits.short_body;
        if self.relevance.names(&c.name) {
            if long {
                out.relevant.push(c.name.clone());
            }
            return true;
        }
        if !long {
            return true;
        }
        if self.is_container(c.body, elision.rows()) {
            return false;
        }
        if self
            .relevance
            .mentioned_in(c.body.start_position().row, last_row(c.body))
        {
            if !c.name.is_empty() {
                out.relevant.push(c.name.clone());
            }
            return true;
        }
        if let Some(doc) = c.docstring {
            out.elisions.extend(self.shorten_block(doc));
        }
        out.elisions.push(elision.clone());
        true
    }

    /// A function whose body is mostly other long functions (a module
    /// pattern, a `describe` block, a component with handlers) is not
    /// elided whole: its inner functions are, one by one.
    fn is_container(&self, body: Node, rows: usize) -> bool {
        // A function with `short_body` elidable rows spans at least one row
        // more (its header); smaller subtrees cannot hold one.
        let min_span = self.limits.short_body + 1;
        let (mut count, mut inner_rows) = (0usize, 0usize);
        let mut cursor = body.walk();
        loop {
            let node = cursor.node();
            let big_enough = last_row(node) + 1 - node.start_position().row >= min_span;
            let inner_long =
                (big_enough && node.id() != body.id() && self.lang.is_function(node.kind()))
                    .then(|| self.elidable_body(node))
                    .flatten()
                    .and_then(|body| self.body_elision(body).0)
                    .map(|e| e.rows())
                    .filter(|&rows| rows >= self.limits.short_body);
            if let Some(inner) = inner_long {
                count += 1;
                inner_rows += inner;
                if count >= 3 && inner_rows * 2 >= rows {
                    return true;
                }
            } else if big_enough && cursor.goto_first_child() {
                continue;
            }
            if !next_in_document_order(&mut cursor) {
                break;
            }
        }
        false
    }

    /// A function's `body`, when it is a block of statements.
    fn elidable_body<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        node.child_by_field_name("body")
            .filter(|body| self.lang.is_block(body.kind()))
    }

    /// The rows of `body` that can go, and a leading docstring (Python).
    fn body_elision<'t>(&self, body: Node<'t>) -> (Option<Elision>, Option<Node<'t>>) {
        if body.has_error() {
            (None, None)
        } else if self.lang.indented_blocks() {
            self.indented_body(body)
        } else {
            (self.braced_body(body), None)
        }
    }

    fn candidate<'t>(&self, node: Node<'t>) -> Option<Candidate<'t>> {
        let body = self.elidable_body(node)?;
        let name = self.function_name(node).unwrap_or_default();
        let (elision, docstring) = self.body_elision(body);
        Some(Candidate {
            body,
            name,
            elision,
            docstring,
        })
    }

    /// `{ … }`: the rows strictly between the brace rows, when no statement
    /// crosses from the brace rows into them (then they hold nothing but
    /// whole statements and comments).
    fn braced_body(&self, body: Node) -> Option<Elision> {
        let open = body.start_position().row;
        let close = last_row(body);
        if close < open + 2 {
            return None;
        }
        let mut first_inside = None;
        for child in named_children(body) {
            let (start, end) = (child.start_position().row, last_row(child));
            if start <= open && end > open || start < close && end >= close {
                return None;
            }
            if start > open && first_inside.is_none() {
                first_inside = Some(start);
            }
        }
        let (from, to) = (open + 1, close - 1);
        let indent = self.indent(first_inside.unwrap_or(from));
        Some(Elision {
            first: from,
            last: to,
            lead: format!("{indent}{} ", self.lang.line_comment()),
        })
    }

    /// A Python block: the rows from the first statement after any
    /// docstring to the end, replaced by `...` so the body stays valid.
    fn indented_body<'t>(&self, body: Node<'t>) -> (Option<Elision>, Option<Node<'t>>) {
        let mut statements = named_children(body)
            .into_iter()
            .filter(|n| !self.lang.is_comment(n.kind()));
        let Some(first) = statements.next() else {
            return (None, None);
        };
        let (docstring, first_code) = if self.is_string_statement(first) {
            (Some(first), statements.next())
        } else {
            (None, Some(first))
        };
        let Some(first_code) = first_code else {
            return (None, docstring);
        };
        let from = first_code.start_position().row;
        let header_last = body
            .prev_sibling()
            .map_or(body.start_position().row, last_row);
        let doc_last = docstring.map_or(0, last_row);
        if from <= header_last
            || docstring.is_some() && from <= doc_last
            || !self.starts_row(first_code)
        {
            return (None, docstring);
        }
        let to = last_row(body);
        let indent = self.indent(from);
        (
            Some(Elision {
                first: from,
                last: to,
                lead: format!("{indent}...  # "),
            }),
            docstring,
        )
    }

    /// A Python docstring outside an elided function: the first statement of
    /// the module or of a class or function body, a string.
    fn is_docstring(&self, node: Node) -> bool {
        if !self.lang.indented_blocks() || !self.is_string_statement(node) {
            return false;
        }
        let Some(parent) = node.parent() else {
            return false;
        };
        let first_statement = named_children(parent)
            .into_iter()
            .find(|n| !self.lang.is_comment(n.kind()));
        first_statement.is_some_and(|n| n.id() == node.id())
            && (parent.kind() == "module"
                || parent.parent().is_some_and(|g| {
                    matches!(g.kind(), "class_definition" | "function_definition")
                }))
    }

    fn is_string_statement(&self, node: Node) -> bool {
        node.kind() == "expression_statement"
            && node.named_child_count() == 1
            && node.named_child(0).is_some_and(|s| s.kind() == "string")
    }

    /// Keep the first line of a long block comment or docstring (two when
    /// the first holds only the opener, like `/**`) and its closing line;
    /// the rows between go.
    fn shorten_block(&self, node: Node) -> Option<Elision> {
        let first_row = node.start_position().row;
        let last = last_row(node);
        if last + 1 - first_row < self.limits.long_comment {
            return None;
        }
        let text = node.utf8_text(self.source).ok()?;
        if node.kind() == "expression_statement" && !is_triple_quoted(text) {
            return None;
        }
        let opener_only = self.lines[first_row]
            .trim()
            .trim_start_matches(['/', '*', '!', 'r', 'R', 'u', 'U', 'b', 'B', '"', '\''])
            .is_empty();
        let from = first_row + if opener_only { 2 } else { 1 };
        let to = last - 1;
        if to < from + 1 {
            return None;
        }
        let indent = self.indent(from);
        let star = if self.lines[from].trim_start().starts_with('*') {
            "* "
        } else {
            ""
        };
        Some(Elision {
            first: from,
            last: to,
            lead: format!("{indent}{star}"),
        })
    }

    /// Runs of line comments on consecutive rows of their own are cut to
    /// their first line; block comments to their first and last lines.
    fn shorten_comments(&self, comments: &mut [Node]) -> Vec<Elision> {
        comments.sort_by_key(|n| n.start_byte());
        let mut out = Vec::new();
        let mut i = 0;
        while i < comments.len() {
            let node = comments[i];
            if !self.is_line_comment(node) || !self.starts_row(node) {
                if self.starts_row(node) {
                    out.extend(self.shorten_block(node));
                }
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < comments.len()
                && self.is_line_comment(comments[j])
                && self.starts_row(comments[j])
                && comments[j].start_position().row == comments[j - 1].start_position().row + 1
                && comments[j].start_position().column == node.start_position().column
            {
                j += 1;
            }
            out.extend(self.shorten_run(&comments[i..j]));
            i = j;
        }
        out
    }

    fn shorten_run(&self, run: &[Node]) -> Option<Elision> {
        if run.len() < self.limits.long_comment {
            return None;
        }
        let first_row = run[0].start_position().row;
        let opener_only = self.lines[first_row]
            .trim()
            .trim_start_matches(['/', '#', '!'])
            .trim()
            .is_empty();
        let from = first_row + if opener_only { 2 } else { 1 };
        let to = run[run.len() - 1].start_position().row;
        if to < from + 1 {
            return None;
        }
        let indent = self.indent(from);
        Some(Elision {
            first: from,
            last: to,
            lead: format!("{indent}{} ", self.lang.line_comment()),
        })
    }

    fn is_line_comment(&self, node: Node) -> bool {
        node.kind() == "line_comment"
            || node
                .utf8_text(self.source)
                .is_ok_and(|t| t.starts_with("//") || t.starts_with('#'))
    }

    /// True when nothing but whitespace precedes `node` on its first row.
    fn starts_row(&self, node: Node) -> bool {
        let pos = node.start_position();
        self.lines[pos.row]
            .get(..pos.column)
            .is_some_and(|before| before.trim().is_empty())
    }

    fn indent(&self, row: usize) -> &'a str {
        let line = self.lines[row];
        &line[..line.len() - line.trim_start().len()]
    }

    /// The function's name: its `name` field, the declarator of a C/C++
    /// function, or the variable/property/key an anonymous function is bound to.
    fn function_name(&self, node: Node) -> Option<String> {
        let text = |n: Node| n.utf8_text(self.source).ok().map(str::to_string);
        if let Some(name) = node.child_by_field_name("name") {
            return text(name);
        }
        if let Some(mut declarator) = node.child_by_field_name("declarator") {
            while let Some(inner) = declarator.child_by_field_name("declarator") {
                declarator = inner;
            }
            return text(declarator);
        }
        let parent = node.parent()?;
        let bound = match parent.kind() {
            "variable_declarator" | "public_field_definition" | "field_definition" => {
                parent.child_by_field_name("name")
            }
            "assignment_expression" => parent.child_by_field_name("left"),
            "pair" => parent.child_by_field_name("key"),
            _ => None,
        };
        bound.and_then(text)
    }
}

/// The last row that holds part of `node` (a node ending with a newline ends
/// at column 0 of the next row).
pub fn last_row(node: Node) -> usize {
    let end = node.end_position();
    if end.column == 0 && end.row > node.start_position().row {
        end.row - 1
    } else {
        end.row
    }
}

/// Move `cursor` to the next node in document order that is not inside the
/// current one: its next sibling, or the next sibling of the nearest
/// ancestor that has one. False when the walk is over.
fn next_in_document_order(cursor: &mut tree_sitter::TreeCursor) -> bool {
    while !cursor.goto_next_sibling() {
        if !cursor.goto_parent() {
            return false;
        }
    }
    true
}

fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// `"""…"""` or `'''…'''`, with an optional prefix such as `r` or `b`.
fn is_triple_quoted(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    t.starts_with("\"\"\"") || t.starts_with("'''")
}
