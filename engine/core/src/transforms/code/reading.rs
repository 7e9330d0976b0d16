//! How the transform reads a source text: the parse it trusts, and the text
//! that parse was made from. Usually that is the text itself. A ~30 KB
//! piece cut out of a file can need help:
//! - it may start inside a docstring or block comment: read without that
//!   tail (blank rows keep the row numbers), which then goes;
//! - it may start inside a JavaScript/TypeScript class: its methods, read
//!   as a program, are calls followed by blocks. Read inside a wrapper
//!   (`class _ { _() { ` on the first row, as many `{` as the piece closes
//!   without opening, and the closing braces it lacks on rows after it),
//!   they are methods again, and the rest of the method the piece starts in
//!   is the body of the wrapper's `_()`.

use super::check::{self, ErrorSpan, Output};
use super::fragment;
use super::language::Lang;
use super::outline::Elision;
use super::relevance::Relevance;
use crate::lines::Lines;
use tree_sitter::Tree;

/// A parse that could not place more than 1/this of the text in any
/// construct is not trusted: the text is not source in that language, or a
/// fragment the grammar cannot make sense of (a piece starting inside a
/// string).
pub const UNPARSED_SHARE_LIMIT: usize = 20;

/// The parse of a text, and what was done to the text to get it.
pub struct Reading<'a> {
    pub lang: Lang,
    pub tree: Tree,
    /// The text the tree was parsed from (row for row the content, plus any
    /// wrapper).
    pub source: String,
    /// The content rows as the tree sees them (a blanked comment tail).
    rows: Vec<&'a str>,
    /// Rows 0..=last of a comment tail the text starts in, left out.
    pub lead_in: Option<Elision>,
    pub wrapper: Option<Wrapper>,
    /// Syntax errors of the parse (of the wrapped text, when wrapped).
    pub input_errors: Vec<ErrorSpan>,
}

/// Text put around a piece so that it parses as what it was cut from.
#[derive(Debug, Clone)]
pub struct Wrapper {
    /// Written before the first row, on the same row (rows keep their numbers).
    pub prefix: String,
    /// How many `}` rows follow the last row.
    pub closers: usize,
}

impl Wrapper {
    /// A class around `rows`: `class _ { ` when they close at most one brace
    /// they did not open (the class's), else a method `_() { ` in it and a
    /// block `{ ` for each further brace; and a `}` row for every brace left
    /// open at the end.
    fn around(rows: &[&str]) -> Self {
        let (closed, left_open) = fragment::brace_depths(rows);
        let prefix = match closed {
            0 | 1 => "class _ { ".to_string(),
            n => format!("class _ {{ _() {{ {}", "{ ".repeat(n - 2)),
        };
        // The wrapper opens at least one brace; the ones the piece does not
        // close are closed after it.
        let closers = left_open + usize::from(closed == 0);
        Self { prefix, closers }
    }

    pub fn suffix(&self) -> String {
        "}\n".repeat(self.closers)
    }

    /// `text` (rows each ending with a newline) inside the wrapper.
    fn wrap(&self, text: &str) -> String {
        format!("{}{text}{}", self.prefix, self.suffix())
    }
}

fn leading_indent(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

impl<'a> Reading<'a> {
    /// The text as it is (`source`: its content, parsed as `tree`), or
    /// without the comment tail it starts in when that parses better.
    /// Declined when too much of it does not parse.
    pub fn plain(
        lang: Lang,
        tree: Tree,
        source: String,
        lines: &Lines<'a>,
    ) -> Result<Self, (usize, usize)> {
        let mut reading = Self {
            lang,
            tree,
            source,
            rows: lines.content.clone(),
            lead_in: None,
            wrapper: None,
            input_errors: Vec::new(),
        };
        reading.skip_open_tail(lines);
        reading.trusted()
    }

    /// The text read inside a class (JavaScript and TypeScript only); `None`
    /// when it is not code of those languages. When the piece starts inside
    /// a method, the rest of that method (up to its closing brace, which
    /// stays) is left out, unless it is short or the task mentions it.
    pub fn in_class(
        lang: Lang,
        lines: &Lines<'a>,
        short_body: usize,
        relevance: &Relevance,
    ) -> Option<Result<Self, (usize, usize)>> {
        if !matches!(lang, Lang::JavaScript | Lang::TypeScript | Lang::Tsx) {
            return None;
        }
        let mut rows = lines.content.clone();
        let mut lead_in = None;
        let (closed, _) = fragment::brace_depths(&rows);
        // The outermost brace the piece closes is its class's, the next one
        // its method's.
        let method_end = (closed >= 2)
            .then(|| fragment::row_closing_depth(&rows, closed - 1))
            .flatten()
            .filter(|&end| end >= short_body && !relevance.mentioned_in(0, end - 1));
        if let Some(end) = method_end {
            rows[..end].fill("");
            lead_in = Some(Elision {
                first: 0,
                last: end - 1,
                lead: format!(
                    "{}{} ",
                    leading_indent(lines.content[0]),
                    lang.line_comment()
                ),
            });
        }
        let wrapper = Wrapper::around(&rows);
        let mut text = rows.join("\n");
        text.push('\n');
        let source = wrapper.wrap(&text);
        let tree = check::parse(lang, &source)?;
        let reading = Self {
            lang,
            tree,
            source,
            rows,
            lead_in,
            wrapper: Some(wrapper),
            input_errors: Vec::new(),
        };
        Some(reading.trusted())
    }

    /// The rows as the tree sees them: the first with any wrapper prefix,
    /// then any wrapper's closing rows.
    pub fn with_rows<T>(&self, f: impl FnOnce(&[&str]) -> T) -> T {
        let Some(wrapper) = &self.wrapper else {
            return f(&self.rows);
        };
        let first = format!("{}{}", wrapper.prefix, self.rows.first().unwrap_or(&""));
        let mut rows = self.rows.clone();
        if let Some(row) = rows.first_mut() {
            *row = &first;
        }
        rows.extend(std::iter::repeat_n("}", wrapper.closers));
        f(&rows)
    }

    /// The content rows as the tree sees them (no wrapper).
    pub fn rows(&self) -> &[&'a str] {
        &self.rows
    }

    /// A piece starting inside a docstring or comment: parse it without that
    /// tail (blank rows keep the row numbers), and leave the tail out, when
    /// that parses better.
    fn skip_open_tail(&mut self, lines: &Lines<'a>) {
        if !self.tree.root_node().has_error() {
            return;
        }
        let Some(tail) = fragment::open_tail(self.lang, &lines.content) else {
            return;
        };
        let mut masked = self.rows.clone();
        masked[..=tail].fill("");
        let masked_source = masked.join("\n");
        let Some(masked_tree) = check::parse(self.lang, &masked_source) else {
            return;
        };
        if check::errors(&masked_tree).len() < check::errors(&self.tree).len() {
            (self.rows, self.source, self.tree) = (masked, masked_source, masked_tree);
            self.lead_in = Some(Elision {
                first: 0,
                last: tail,
                lead: format!("{} ", self.lang.line_comment()),
            });
        }
    }

    /// This reading, if enough of the text parses; else the error count
    /// and the bytes that did not parse.
    fn trusted(mut self) -> Result<Self, (usize, usize)> {
        let unparsed = check::unparsed_bytes(&self.tree);
        self.input_errors = check::errors(&self.tree);
        if unparsed * UNPARSED_SHARE_LIMIT > self.source.len() {
            return Err((self.input_errors.len(), unparsed));
        }
        Ok(self)
    }

    /// The syntax errors `output` has that this reading of the input did
    /// not (read inside the same wrapper, if any: a piece of a class read
    /// on its own is broken anyway, and how the parser recovers from that
    /// says nothing about the output).
    pub fn new_errors(&self, output: &Output) -> Vec<ErrorSpan> {
        match &self.wrapper {
            None => check::new_errors(self.lang, &self.input_errors, Some(&self.tree), output),
            Some(wrapper) => {
                let wrapped = output.wrapped(&wrapper.prefix, &wrapper.suffix());
                check::new_errors(self.lang, &self.input_errors, None, &wrapped)
            }
        }
    }
}
