//! Which language a source file is in, and what the `code` transform needs to
//! know about each language: its grammar, its comment syntax, and which AST
//! nodes are functions with elidable bodies.

use crate::router;

/// The languages the `code` transform has a grammar for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Rust,
    Java,
    C,
    Cpp,
}

impl Lang {
    /// The language of a file, from its extension. `None` for extensions we
    /// have no grammar for, and for `.h`, which may be C or C++ (decided from
    /// the content).
    pub fn from_path(path: &str) -> Option<Lang> {
        Some(match router::extension(path)?.as_str() {
            "py" | "pyi" => Lang::Python,
            "js" | "mjs" | "cjs" | "jsx" => Lang::JavaScript,
            "ts" | "mts" | "cts" => Lang::TypeScript,
            "tsx" => Lang::Tsx,
            "go" => Lang::Go,
            "rs" => Lang::Rust,
            "java" => Lang::Java,
            "c" => Lang::C,
            "cc" | "cpp" | "cxx" | "c++" | "hpp" | "hh" | "hxx" => Lang::Cpp,
            _ => return None,
        })
    }

    /// True when the path names a C/C++ header, whose dialect the content decides.
    pub fn is_c_header(path: &str) -> bool {
        router::extension(path).as_deref() == Some("h")
    }

    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Go => tree_sitter_go::LANGUAGE.into(),
            Lang::Rust => tree_sitter_rust::LANGUAGE.into(),
            Lang::Java => tree_sitter_java::LANGUAGE.into(),
            Lang::C => tree_sitter_c::LANGUAGE.into(),
            Lang::Cpp => tree_sitter_cpp::LANGUAGE.into(),
        }
    }

    /// The line-comment opener, used for omission lines and the block marker.
    pub fn line_comment(self) -> &'static str {
        match self {
            Lang::Python => "#",
            _ => "//",
        }
    }

    /// Python marks blocks by indentation, the others by braces: that decides
    /// which rows of a body can go and what must stand in for them.
    pub fn indented_blocks(self) -> bool {
        self == Lang::Python
    }

    /// AST node kinds that are functions (or methods, lambdas, closures)
    /// whose `body` field may be elided.
    pub fn is_function(self, kind: &str) -> bool {
        match self {
            Lang::Python => kind == "function_definition",
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx => matches!(
                kind,
                "function_declaration"
                    | "function_expression"
                    | "generator_function_declaration"
                    | "generator_function"
                    | "arrow_function"
                    | "method_definition"
            ),
            Lang::Go => matches!(
                kind,
                "function_declaration" | "method_declaration" | "func_literal"
            ),
            Lang::Rust => matches!(kind, "function_item" | "closure_expression"),
            Lang::Java => matches!(
                kind,
                "method_declaration"
                    | "constructor_declaration"
                    | "compact_constructor_declaration"
                    | "lambda_expression"
            ),
            Lang::C => kind == "function_definition",
            Lang::Cpp => matches!(kind, "function_definition" | "lambda_expression"),
        }
    }

    /// Function kinds written inline, as values (closures, lambdas, arrow
    /// functions), as opposed to declared.
    pub fn is_anonymous_function(self, kind: &str) -> bool {
        matches!(
            kind,
            "closure_expression"
                | "lambda_expression"
                | "arrow_function"
                | "function_expression"
                | "generator_function"
                | "func_literal"
        )
    }

    /// Node kinds of a body that is a block of statements (a closure or arrow
    /// function whose body is a single expression is left alone).
    pub fn is_block(self, kind: &str) -> bool {
        matches!(
            kind,
            "block" | "statement_block" | "compound_statement" | "constructor_body"
        )
    }

    pub fn is_comment(self, kind: &str) -> bool {
        matches!(kind, "comment" | "line_comment" | "block_comment")
    }
}

/// Guess the language of source text without a file name, from the share of
/// lines carrying each language's telltale constructs. `None` when nothing
/// looks like code we have a grammar for.
#[cfg(test)]
pub fn detect_from_content(lines: &[&str]) -> Option<Lang> {
    let ranked = rank_by_content(lines);
    ranked.first().map(|(lang, _)| *lang)
}

/// Languages ordered by how much `lines` look like them (best first), with
/// their scores; languages without any evidence are left out.
pub fn rank_by_content(lines: &[&str]) -> Vec<(Lang, usize)> {
    let mut f = Features::default();
    for line in lines.iter().take(600) {
        let t = line.trim();
        if !t.is_empty() {
            f.add(t);
        }
    }
    // Supersets (TypeScript over JavaScript, C++ over C) win only on their
    // own evidence, which counts double.
    let typed = |extra: usize| if f.ts > 0 { f.js + 2 * f.ts + extra } else { 0 };
    let scores = [
        (Lang::Python, f.python),
        (Lang::JavaScript, f.js + f.jsx),
        (Lang::TypeScript, typed(0)),
        (Lang::Tsx, if f.jsx > 0 { typed(f.jsx) } else { 0 }),
        (Lang::Go, f.go),
        (Lang::Rust, f.rust),
        (Lang::Java, f.java),
        (Lang::C, f.c_family + f.c_only),
        (
            Lang::Cpp,
            if f.cpp > 0 { f.c_family + 2 * f.cpp } else { 0 },
        ),
    ];
    let mut ranked: Vec<(Lang, usize)> = scores.into_iter().filter(|(_, s)| *s > 0).collect();
    // Stable sort: on a tie the earlier language (the simpler grammar) wins.
    ranked.sort_by_key(|(_, score)| std::cmp::Reverse(*score));
    ranked
}

/// Counts of lines showing each language's telltale constructs. Forms shared
/// by many languages (`import`, braces) count for none, so the distinctive
/// ones decide.
#[derive(Default)]
struct Features {
    python: usize,
    js: usize,
    ts: usize,
    jsx: usize,
    go: usize,
    rust: usize,
    java: usize,
    c_family: usize,
    c_only: usize,
    cpp: usize,
}

impl Features {
    /// Add the evidence of one trimmed, non-empty line.
    fn add(&mut self, t: &str) {
        let starts = |p: &str| t.starts_with(p);
        // Most needles have a byte the line lacks: those are not searched for.
        let present = ascii_set(t);
        let has = |p: &str| {
            p.bytes().all(|b| b < 128 && present & (1 << b) != 0) && crate::find::contains(t, p)
        };
        let hit = |b: bool| usize::from(b);
        self.python += hit(starts("def ") && t.ends_with(':'))
            + hit(starts("class ") && t.ends_with(':'))
            + hit(starts("from ") && has(" import "))
            + hit(starts("elif ") || starts("except") || t == "else:" || t == "try:")
            + hit(has("self.") && !has(";") && !has("->"))
            + hit(starts("\"\"\""));
        self.js += hit(starts("function ") || starts("async function "))
            + hit(has("require(") || starts("module.exports") || starts("exports."))
            + hit(has(" => "))
            + hit(starts("const ") || starts("let ") || starts("var "))
            + hit(has("===") || has("!=="));
        self.ts += hit(starts("interface ") || starts("export interface "))
            + hit(starts("type ") && has(" = ") || starts("export type "))
            + hit(has(": string") || has(": number") || has(": boolean") || has(": Promise<"))
            + hit(starts("private ") && has("(") && !has("::"))
            + hit(has(" as const") || has("readonly "));
        self.jsx += hit(starts("<") && (has("</") || has("/>")) || has("return <") || has("(<"));
        self.go += hit(starts("package ") && !has(";"))
            + hit(starts("func "))
            + hit(has(" := "))
            + hit(starts("if err != nil"))
            + hit(starts("type ") && (has(" struct {") || has(" interface {")));
        self.rust += hit(starts("fn ")
            || starts("pub fn ")
            || starts("pub(crate) fn ")
            || starts("async fn "))
            + hit(starts("use ") && has("::"))
            + hit(starts("impl") || starts("#[") || starts("#!["))
            + hit(has("let mut ") || has("&mut ") || has("&self"))
            + hit(starts("pub struct ") || starts("pub enum ") || starts("mod "));
        self.java += hit(starts("package ") && t.ends_with(';'))
            + hit(starts("import java") || starts("import static "))
            + hit(starts("public class ")
                || starts("public final class ")
                || starts("public interface "))
            + hit(starts("@Override")
                || starts("private static final ")
                || starts("public static "))
            + hit(has(" throws ") || t.ends_with(';') && has("final ") && !has("::"))
            + hit(is_java_member(t));
        self.c_family +=
            hit(starts("#include") || starts("#define") || starts("#ifndef") || starts("#endif"));
        self.c_only += hit(has("->") && has(";") && !has("=>") && !has("::"));
        self.cpp += hit(has("std::") || starts("namespace ") || starts("template") || has("::~"))
            + hit(t == "public:" || t == "private:" || t == "protected:")
            + hit(starts("class ") && !t.ends_with(':'));
    }
}

/// The ASCII bytes of `t`, as a set (bit `b` for byte `b`).
fn ascii_set(t: &str) -> u128 {
    t.bytes()
        .filter(|&b| b < 128)
        .fold(0, |set, b| set | 1 << b)
}

/// A Java method or field declaration: an access modifier, then a type and
/// a name (`public <T> T fromJson(`, `private final int x;`), where
/// TypeScript writes the name right after the modifier (`private foo(`).
fn is_java_member(t: &str) -> bool {
    const MODIFIERS: &[&str] = &[
        "public",
        "private",
        "protected",
        "static",
        "final",
        "abstract",
        "synchronized",
    ];
    if !["public ", "private ", "protected "]
        .iter()
        .any(|m| t.starts_with(m))
        || t.contains(": ")
        || t.contains("=>")
    {
        return false;
    }
    let head = t.split(['(', '=', ';']).next().unwrap_or(t);
    let words = head
        .split_whitespace()
        .filter(|w| !MODIFIERS.contains(w))
        .count();
    words >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(text: &str) -> Option<Lang> {
        detect_from_content(&text.lines().collect::<Vec<_>>())
    }

    #[test]
    fn paths_map_to_languages() {
        assert_eq!(Lang::from_path("/x/app.py"), Some(Lang::Python));
        assert_eq!(Lang::from_path("src/Ky.ts"), Some(Lang::TypeScript));
        assert_eq!(Lang::from_path("App.TSX"), Some(Lang::Tsx));
        assert_eq!(Lang::from_path("db_impl.cc"), Some(Lang::Cpp));
        assert_eq!(Lang::from_path("x.h"), None);
        assert!(Lang::is_c_header("x.h"));
        assert_eq!(Lang::from_path("README.md"), None);
    }

    #[test]
    fn content_detection_tells_languages_apart() {
        assert_eq!(
            detect("import os\n\ndef f(x):\n    return self.x\n"),
            Some(Lang::Python)
        );
        assert_eq!(
            detect("package main\n\nfunc main() {\n\tx := 1\n}\n"),
            Some(Lang::Go)
        );
        assert_eq!(
            detect("use std::io;\n\npub fn f(x: &mut u8) {\n}\n"),
            Some(Lang::Rust)
        );
        assert_eq!(
            detect("package a.b;\n\nimport java.util.List;\n\npublic class A {\n}\n"),
            Some(Lang::Java)
        );
        assert_eq!(
            detect("#include <stdio.h>\n\nint main(void) {\n  p->x = 1;\n}\n"),
            Some(Lang::C)
        );
        assert_eq!(
            detect("#include <string>\n\nnamespace a {\nstd::string f();\n}\n"),
            Some(Lang::Cpp)
        );
        assert_eq!(
            detect("const x = require('y');\n\nfunction f(a) {\n  return a === 1;\n}\n"),
            Some(Lang::JavaScript)
        );
        assert_eq!(
            detect(
                "export interface A {\n  x: string;\n}\nconst f = (a: number) => a;\nlet y = 1;\n"
            ),
            Some(Lang::TypeScript)
        );
        assert_eq!(detect("Just some prose.\nNothing else here.\n"), None);
        // Java members without package or imports (the middle of a file).
        assert_eq!(
            detect(
                "  public <T> T fromJson(String json) throws IOException {\n    return null;\n  }\n  private final int count;\n  private static void reset(int x) {\n  }\n"
            ),
            Some(Lang::Java)
        );
    }
}
