//! Parsing, and the promise that compressed code still parses: the output is
//! parsed again and refused if it has a syntax error the input did not have
//! at the same place. A whole file usually has none; a ~30 KB piece cut out
//! of a file (starting mid-function) has some, which the output may keep but
//! never add to.

use super::language::Lang;
use crate::lines::Lines;
use crate::marker;
use crate::plan::{Item, Plan};
use tree_sitter::{InputEdit, Node, Parser, Point, Tree};

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
    /// How `text` differs from the source the input tree was parsed from,
    /// front to back, in that source's coordinates (`None` when the plan is
    /// not a sequence of kept and omitted rows).
    edits: Option<Vec<InputEdit>>,
}

impl Output {
    /// The same output between `prefix` (on its first row) and `suffix`
    /// (rows after its last), re-parsed from scratch.
    pub fn wrapped(&self, prefix: &str, suffix: &str) -> Output {
        Output {
            text: format!("{prefix}{}{suffix}", self.text),
            origin: self.origin.clone(),
            edits: None,
        }
    }
}

/// Render `plan` over the content of `lines` (the block marker as a comment
/// placeholder, as the pipeline will write it). `source` is the text the
/// input tree was parsed from (the content, or the content with a leading
/// comment tail blanked, which the plan then omits): the differences from
/// it are recorded so the output can be re-parsed incrementally.
pub fn output(lines: &Lines, plan: &Plan, source: &str) -> Output {
    let mut text = String::new();
    let mut origin = Vec::with_capacity(plan.items.len() + 1);
    let mut edits = Edits::new(source, lines.content.len());
    if let Some(prefix) = &plan.marker_prefix {
        text.push_str(prefix);
        text.push_str("[headroom: block marker]\n");
        // A comment cannot be an error itself, but an error node starting at
        // the top of the file starts on it: it belongs to the first row.
        origin.push(Some(0));
        edits.insert_line_at_top(text.len());
    }
    let mut row = 0;
    for item in &plan.items {
        match item {
            Item::Keep(idx) | Item::Repeat { idx, .. } => {
                text.push_str(lines.content[*idx]);
                edits.keep(
                    *idx,
                    lines.content[*idx],
                    matches!(item, Item::Repeat { .. }),
                );
                row = *idx + 1;
                origin.push(Some(*idx));
            }
            Item::Omit {
                count,
                text: stand_in,
            } => {
                let start = text.len();
                match stand_in {
                    Some(line) => text.push_str(line),
                    None => text.push_str(&marker::gap(*count)),
                }
                edits.replace_rows(row, *count, &text[start..]);
                origin.push(Some(row));
                row += count;
            }
            Item::Note(note) => {
                text.push_str(note);
                edits.give_up();
                origin.push(None);
            }
        }
        text.push('\n');
    }
    edits.finish(row);
    // The end of the text (where a missing closing brace is reported) is
    // the end of the input.
    origin.push(Some(row.max(lines.len())));
    Output {
        text,
        origin,
        edits: edits.list,
    }
}

/// The edits turning the parsed source into the output, collected while
/// the output is rendered. The output is the source's rows in order, each
/// ending with a newline, some runs of rows replaced by one stand-in line,
/// and maybe the marker line on top; anything else (a row out of order, a
/// note line) makes the list `None`, and the output is parsed from scratch.
struct Edits<'s> {
    source: &'s str,
    /// Byte offset where each source row starts; one more entry: the end.
    row_starts: Vec<usize>,
    /// The source lacks a newline after its last row.
    open_end: bool,
    /// The next source row the output should come to.
    next_row: usize,
    list: Option<Vec<InputEdit>>,
}

impl<'s> Edits<'s> {
    fn new(source: &'s str, rows: usize) -> Self {
        let mut row_starts = Vec::with_capacity(rows + 1);
        row_starts.push(0);
        row_starts.extend(
            source
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let open_end = !source.is_empty() && !source.ends_with('\n');
        if open_end {
            row_starts.push(source.len());
        }
        // Row count must agree with the content's, or the rows are not the
        // same rows.
        let list = (row_starts.len() == rows + 1).then(Vec::new);
        Self {
            source,
            row_starts,
            open_end,
            next_row: 0,
            list,
        }
    }

    fn give_up(&mut self) {
        self.list = None;
    }

    /// A line of `bytes` bytes (newline included) written above row 0.
    fn insert_line_at_top(&mut self, bytes: usize) {
        self.push(0, 0, Point::new(0, 0), Point::new(0, 0), 1, bytes);
    }

    /// Row `row` of the content, `text`, was written as it is. (It must
    /// read the same in the source: a blanked row written back is a change.)
    fn keep(&mut self, row: usize, text: &str, repeated: bool) {
        let in_source = self.row_starts.get(row..=row + 1).map(|ends| {
            self.source[ends[0]..ends[1]]
                .strip_suffix('\n')
                .unwrap_or(&self.source[ends[0]..ends[1]])
        });
        if row != self.next_row || repeated || in_source != Some(text) {
            self.give_up();
        }
        self.next_row = row + 1;
    }

    /// Rows `row..row + count` became one line reading `line`.
    fn replace_rows(&mut self, row: usize, count: usize, line: &str) {
        let end = row + count;
        if row != self.next_row || end >= self.row_starts.len() {
            self.give_up();
            return;
        }
        let (start, old_end) = (self.row_starts[row], self.row_starts[end]);
        // (Omitting the last row of a source without a final newline
        // removes no newline: the one written after the stand-in is the
        // final one `finish` would otherwise add.)
        let old_end_point = if self.open_end && end == self.row_starts.len() - 1 {
            self.open_end = false;
            Point::new(end - 1, old_end - self.row_starts[end - 1])
        } else {
            Point::new(end, 0)
        };
        self.push(
            start,
            old_end,
            Point::new(row, 0),
            old_end_point,
            1,
            line.len() + 1,
        );
        self.next_row = end;
    }

    /// The output ends with a newline after its last row; the source may not.
    fn finish(&mut self, row: usize) {
        let rows = self.row_starts.len() - 1;
        if row != rows {
            self.give_up();
            return;
        }
        if self.open_end && rows > 0 {
            let end = self.row_starts[rows];
            let point = Point::new(rows - 1, end - self.row_starts[rows - 1]);
            self.push(end, end, point, point, 1, 1);
        }
    }

    /// One edit at source byte `start`: `old_end` is where the replaced
    /// bytes ended, and the new text spans `new_rows` newlines and
    /// `new_bytes` bytes, ending with a newline.
    fn push(
        &mut self,
        start: usize,
        old_end: usize,
        start_point: Point,
        old_end_point: Point,
        new_rows: usize,
        new_bytes: usize,
    ) {
        if let Some(list) = &mut self.list {
            list.push(InputEdit {
                start_byte: start,
                old_end_byte: old_end,
                new_end_byte: start + new_bytes,
                start_position: start_point,
                old_end_position: old_end_point,
                new_end_position: Point::new(start_point.row + new_rows, 0),
            });
        }
    }
}

/// Parse `output`, reusing the input's tree when there is one and the
/// output's edits are known (the output is mostly the input's rows, so most
/// of its subtrees are the input's), else from scratch.
fn reparse(lang: Lang, input: Option<&Tree>, output: &Output) -> Option<Tree> {
    input
        .and_then(|input| reparse_reusing(lang, input, output))
        .or_else(|| parse(lang, &output.text))
}

/// The incremental parse of `output`: the input's tree is edited, back to
/// front so every edit's source coordinates still hold, and tree-sitter
/// re-reads only around the edits. It gives the tree a fresh parse gives
/// (tested on the whole corpus, error nodes included). `None` when the
/// output's edits are unknown.
pub fn reparse_reusing(lang: Lang, input: &Tree, output: &Output) -> Option<Tree> {
    let edits = output.edits.as_ref()?;
    let mut parser = Parser::new();
    parser.set_language(&lang.grammar()).ok()?;
    let mut base = input.clone();
    for edit in edits.iter().rev() {
        base.edit(edit);
    }
    parser.parse(&output.text, Some(&base))
}

/// Syntax errors of `output` that the input did not have: errors beyond the
/// input's count, errors on rows that were not inside an input error, or
/// more missing tokens of a kind than the input lacked.
/// Empty when the output is as sound as the input.
/// `input_tree` (the input's parse) lets the output be parsed incrementally.
pub fn new_errors(
    lang: Lang,
    input: &[ErrorSpan],
    input_tree: Option<&Tree>,
    output: &Output,
) -> Vec<ErrorSpan> {
    let Some(tree) = reparse(lang, input_tree, output) else {
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
