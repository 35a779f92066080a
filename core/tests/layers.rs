//! The core is a DAG of layers, and its functions stay short.
//!
//! Layers, bottom to top (a module may use its own layer and the ones below it, never one
//! above):
//!
//! | layer | modules |
//! | --- | --- |
//! | 0 base | `calendar`, `issue` |
//! | 1 vocabulary | every `codes.rs` (any path with a `codes` segment) and `registry` |
//! | 2 | `contract` |
//! | 3 | `order` |
//! | 4 | `routing` |
//! | 5 | `boundary` |
//! | 6 | `events` |
//! | 7 | `diagnosis` |
//! | 8 surface | `api`, `host` |
//!
//! The edges are the `crate::…` (and `$crate::…`) paths of `core/src/**.rs` outside
//! comments, each attributed to the module of the file it is written in; a `crate::name!`
//! macro belongs to the module whose file defines `macro_rules! name`. The test fails on an
//! edge from a lower layer to a higher one and on any cycle between modules, naming the file
//! and the edge. A second check counts the lines of every `fn` body (by brace matching,
//! skipping strings, characters and comments) and fails over [`MAX_FN_LINES`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The longest a function body may be, in lines (its braces included).
const MAX_FN_LINES: usize = 80;

const LAYERS: &[&[&str]] = &[
    &["calendar", "issue"],
    &["vocabulary"],
    &["contract"],
    &["order"],
    &["routing"],
    &["boundary"],
    &["events"],
    &["diagnosis"],
    &["api", "host"],
];

/// One `crate::` reference: in `file` at `line`, from module `from` to module `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edge {
    file: String,
    line: usize,
    from: String,
    to: String,
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The module a path's segments (after `crate::`) lead to.
fn module_of_path(segments: &[String], macros: &BTreeMap<String, String>) -> Option<String> {
    let first = segments.first()?;
    if first == "registry" || segments.iter().any(|s| s == "codes") {
        return Some("vocabulary".to_owned());
    }
    if segments.len() == 1 {
        if let Some(module) = macros.get(first) {
            return Some(module.clone());
        }
    }
    Some(first.clone())
}

/// The module a source file belongs to (its path relative to `core/src`).
fn module_of_file(relative: &str) -> Option<String> {
    let path = Path::new(relative);
    if path.file_name().is_some_and(|n| n == "codes.rs") || relative == "registry.rs" {
        return Some("vocabulary".to_owned());
    }
    let first = path.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" => None,
        name => Some(name.trim_end_matches(".rs").to_owned()),
    }
}

/// The source with comments, string and character literals blanked (newlines kept), so
/// positions and line numbers stay those of the file.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let skip_to = if c == '/' && next == Some('/') {
            (i..chars.len())
                .find(|&j| chars.get(j) == Some(&'\n'))
                .unwrap_or(chars.len())
        } else if c == '/' && next == Some('*') {
            (i + 2..chars.len())
                .find(|&j| chars.get(j) == Some(&'*') && chars.get(j + 1) == Some(&'/'))
                .map_or(chars.len(), |j| j + 2)
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            raw_string_end(&chars, i).unwrap_or(i + 1)
        } else if c == '"' {
            string_end(&chars, i + 1)
        } else if c == '\'' {
            char_literal_end(&chars, i).unwrap_or(i + 1)
        } else {
            i + 1
        };
        if skip_to == i + 1 {
            out.push(c);
        } else {
            out.extend(
                chars
                    .get(i..skip_to)
                    .unwrap_or_default()
                    .iter()
                    .map(|&c| blank(c)),
            );
        }
        i = skip_to;
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i.checked_sub(1)
        .and_then(|j| chars.get(j))
        .is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// The index after a `"…"` string whose contents start at `from`.
fn string_end(chars: &[char], from: usize) -> usize {
    let mut j = from;
    while let Some(&c) = chars.get(j) {
        match c {
            '\\' => j += 2,
            '"' => return j + 1,
            _ => j += 1,
        }
    }
    chars.len()
}

/// The index after `r"…"` / `r#"…"#` starting at `at`, when it is one.
fn raw_string_end(chars: &[char], at: usize) -> Option<usize> {
    let hashes = chars.iter().skip(at + 1).take_while(|&&c| c == '#').count();
    if chars.get(at + 1 + hashes) != Some(&'"') {
        return None;
    }
    let mut j = at + 2 + hashes;
    while j < chars.len() {
        if chars.get(j) == Some(&'"') && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(chars.len())
}

/// The index after a character literal at `at` (`'x'`, `'\n'`, `'\u{..}'`); `None` for a
/// lifetime.
fn char_literal_end(chars: &[char], at: usize) -> Option<usize> {
    match chars.get(at + 1) {
        Some('\\') => (at + 3..chars.len().min(at + 12))
            .find(|&j| chars.get(j) == Some(&'\''))
            .map(|j| j + 1),
        Some(_) if chars.get(at + 2) == Some(&'\'') => Some(at + 3),
        _ => None,
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifier segments of a path starting at byte `at` (`a::b::c`), stopping at `{`,
/// `*`, `!` or anything else; the names of a `{…}` group right at `at` are each a path.
fn paths_at(code: &str, at: usize) -> Vec<Vec<String>> {
    let rest = code.get(at..).unwrap_or_default();
    if let Some(group) = rest.strip_prefix('{') {
        let inner = group.split('}').next().unwrap_or_default();
        return inner
            .split(',')
            .map(|item| {
                item.trim()
                    .split("::")
                    .map(|s| {
                        s.trim()
                            .chars()
                            .take_while(|&c| is_ident(c))
                            .collect::<String>()
                    })
                    .take_while(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|p| !p.is_empty())
            .collect();
    }
    let mut segments = Vec::new();
    let mut rest = rest;
    loop {
        let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
        if name.is_empty() {
            break;
        }
        rest = rest.get(name.len()..).unwrap_or_default();
        segments.push(name);
        match rest.strip_prefix("::") {
            Some(more) => rest = more,
            None => break,
        }
    }
    vec![segments]
}

/// Every `crate::…` path of a file's code, with its line number.
fn crate_paths(source: &str) -> Vec<(usize, Vec<String>)> {
    let code = code_only(source);
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code.get(..at).and_then(|b| b.chars().next_back());
        if before.is_some_and(is_ident) {
            continue;
        }
        let line = code.get(..at).map_or(0, |b| b.matches('\n').count()) + 1;
        for path in paths_at(&code, at + "crate::".len()) {
            out.push((line, path));
        }
    }
    out
}

/// The names of the macros a file defines with `macro_rules!`.
fn defined_macros(source: &str) -> Vec<String> {
    let code = code_only(source);
    code.match_indices("macro_rules!")
        .filter_map(|(at, m)| {
            let name: String = code
                .get(at + m.len()..)?
                .trim_start()
                .chars()
                .take_while(|&c| is_ident(c))
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// The module edges of a set of files (relative path, source).
fn edges(files: &[(String, String)]) -> Vec<Edge> {
    let mut macros = BTreeMap::new();
    for (path, source) in files {
        if let Some(module) = module_of_file(path) {
            for name in defined_macros(source) {
                macros.insert(name, module.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (path, source) in files {
        let Some(from) = module_of_file(path) else {
            continue;
        };
        for (line, segments) in crate_paths(source) {
            if let Some(to) = module_of_path(&segments, &macros) {
                if to != from {
                    out.push(Edge {
                        file: path.clone(),
                        line,
                        from: from.clone(),
                        to,
                    });
                }
            }
        }
    }
    out
}

/// Every edge that goes up a layer (or to a module in no layer).
fn upward(edges: &[Edge]) -> Vec<String> {
    edges
        .iter()
        .filter(|e| match (layer_of(&e.from), layer_of(&e.to)) {
            (Some(from), Some(to)) => to > from,
            _ => true,
        })
        .map(|e| {
            format!(
                "{}:{}: {} (layer {:?}) uses {} (layer {:?})",
                e.file,
                e.line,
                e.from,
                layer_of(&e.from),
                e.to,
                layer_of(&e.to)
            )
        })
        .collect()
}

/// A cycle of the module graph, as the modules in order with the first repeated at the end,
/// each step naming one file and line that makes the edge.
fn find_cycle(edges: &[Edge]) -> Option<Vec<String>> {
    let mut graph: BTreeMap<&str, BTreeMap<&str, &Edge>> = BTreeMap::new();
    for e in edges {
        graph.entry(&e.from).or_default().entry(&e.to).or_insert(e);
    }
    let mut done = BTreeSet::new();
    for start in graph.keys() {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(start, &graph, &mut stack, &mut done) {
            return Some(cycle);
        }
    }
    None
}

fn visit<'a>(
    node: &'a str,
    graph: &BTreeMap<&'a str, BTreeMap<&'a str, &'a Edge>>,
    stack: &mut Vec<&'a Edge>,
    done: &mut BTreeSet<&'a str>,
) -> Option<Vec<String>> {
    if done.contains(node) {
        return None;
    }
    if let Some(pos) = stack.iter().position(|e| e.from == node) {
        let cycle = stack.get(pos..).unwrap_or_default();
        return Some(
            cycle
                .iter()
                .map(|e| format!("{} -> {} ({}:{})", e.from, e.to, e.file, e.line))
                .collect(),
        );
    }
    for (_, edge) in graph.get(node).into_iter().flatten() {
        stack.push(edge);
        let found = visit(&edge.to, graph, stack, done);
        stack.pop();
        if found.is_some() {
            return found;
        }
    }
    done.insert(node);
    None
}

/// Every `fn` of a file whose body is longer than `max` lines: `(name, first line, lines)`.
fn long_functions(source: &str, max: usize) -> Vec<(String, usize, usize)> {
    let code = code_only(source);
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    for (at, _) in code.match_indices("fn ") {
        let before = at.checked_sub(1).and_then(|j| bytes.get(j)).copied();
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let name: String = code
            .get(at + 3..)
            .unwrap_or_default()
            .trim_start()
            .chars()
            .take_while(|&c| is_ident(c))
            .collect();
        if name.is_empty() {
            continue; // `fn(` types
        }
        let Some((open, close)) = body_of(&code, at) else {
            continue;
        };
        let first = code.get(..open).map_or(0, |b| b.matches('\n').count()) + 1;
        let lines = code
            .get(open..=close)
            .map_or(0, |b| b.matches('\n').count())
            + 1;
        if lines > max {
            out.push((name, first, lines));
        }
    }
    out
}

/// The byte positions of a function's body braces, the signature starting at `at`; `None`
/// for a declaration without a body.
fn body_of(code: &str, at: usize) -> Option<(usize, usize)> {
    let mut depth = 0i32;
    let mut open = None;
    for (i, c) in code.get(at..)?.char_indices() {
        match (c, open) {
            ('(' | '[', None) => depth += 1,
            (')' | ']', None) => depth -= 1,
            (';', None) if depth == 0 => return None,
            ('{', None) if depth == 0 => {
                open = Some(at + i);
                depth = 1;
            }
            ('{', Some(_)) => depth += 1,
            ('}', Some(start)) => {
                depth -= 1;
                if depth == 0 {
                    return Some((start, at + i));
                }
            }
            _ => {}
        }
    }
    None
}

fn source_files(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            source_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let relative = relative.to_string_lossy().replace('\\', "/");
            out.push((relative, std::fs::read_to_string(&path).unwrap_or_default()));
        }
    }
}

fn core_sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&root, &root, &mut files);
    files
}

#[test]
fn no_module_uses_a_higher_layer() {
    let files = core_sources();
    assert!(files.len() > 50, "core/src not found");
    let edges = edges(&files);
    assert!(
        edges.len() > 50,
        "too few edges found: the parser is broken"
    );
    let bad = upward(&edges);
    assert!(bad.is_empty(), "edges up a layer:\n{}", bad.join("\n"));
}

#[test]
fn the_module_graph_has_no_cycle() {
    let edges = edges(&core_sources());
    let cycle = find_cycle(&edges).unwrap_or_default();
    assert!(cycle.is_empty(), "import cycle:\n{}", cycle.join("\n"));
}

#[test]
fn no_function_is_too_long() {
    let mut long = Vec::new();
    for (path, source) in core_sources() {
        for (name, line, lines) in long_functions(&source, MAX_FN_LINES) {
            long.push(format!("{path}:{line}: fn {name} is {lines} lines"));
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n{}",
        long.join("\n")
    );
}

// ---- the checkers on tiny fake crates ------------------------------------------------------

fn fake(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(p, s)| ((*p).to_owned(), (*s).to_owned()))
        .collect()
}

#[test]
fn an_upward_edge_is_named_with_its_file_and_line() {
    let files = fake(&[
        (
            "order/visit.rs",
            "use crate::contract::model;\n\nuse crate::routing::select;\n",
        ),
        ("routing/mod.rs", "use crate::order::snapshot::X;\n"),
        (
            "contract/mod.rs",
            "// use crate::api::call; in a comment\nconst S: &str = \"crate::api\";\n",
        ),
    ]);
    let edges = edges(&files);
    assert_eq!(edges.len(), 3, "{edges:?}");
    let bad = upward(&edges);
    assert_eq!(bad.len(), 1, "{bad:?}");
    let first = bad.first().cloned().unwrap_or_default();
    assert!(first.starts_with("order/visit.rs:3: order"), "{first}");
    assert!(first.contains("uses routing"), "{first}");
}

#[test]
fn codes_macros_and_groups_map_to_their_modules() {
    let files = fake(&[
        (
            "order/readiness.rs",
            "use crate::routing::codes as rc;\ncrate::define_codes!{}\n",
        ),
        (
            "issue/code.rs",
            "#[macro_export]\nmacro_rules! define_codes { () => { $crate::issue::X } }\n",
        ),
        ("order/codes.rs", "crate::define_codes! {}\n"),
        ("api/mod.rs", "use crate::{order, events::parse};\n"),
    ]);
    let mut got: Vec<(String, String)> =
        edges(&files).into_iter().map(|e| (e.from, e.to)).collect();
    got.sort();
    let want = [
        ("api", "events"),
        ("api", "order"),
        ("order", "issue"),
        ("order", "vocabulary"),
        ("vocabulary", "issue"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(got, want);
    assert!(upward(&edges(&files)).is_empty());
}

#[test]
fn a_cycle_is_found_and_named() {
    let files = fake(&[
        ("issue/a.rs", "use crate::calendar::x;\n"),
        ("calendar.rs", "\nuse crate::issue::y;\n"),
        ("order/b.rs", "use crate::issue::z;\n"),
    ]);
    let cycle = find_cycle(&edges(&files)).unwrap_or_default();
    assert_eq!(cycle.len(), 2, "{cycle:?}");
    assert!(
        cycle
            .iter()
            .any(|s| s == "calendar -> issue (calendar.rs:2)"),
        "{cycle:?}"
    );
    let acyclic = fake(&[("order/b.rs", "use crate::issue::z;\n")]);
    assert_eq!(find_cycle(&edges(&acyclic)), None);
}

#[test]
fn long_functions_are_counted_by_their_braces() {
    let body: String = (0..79)
        .map(|i| format!("    let _x{i} = \"}}\";\n"))
        .collect();
    let source = format!(
        "fn short() {{ 1 }}\nfn long<T>(x: [u8; 2]) -> T where T: Default {{\n{body}}}\ntrait A {{ fn f(&self); }}\n"
    );
    let long = long_functions(&source, MAX_FN_LINES);
    assert_eq!(long, vec![("long".to_owned(), 2, 81)]);
    assert!(long_functions(&source, 81).is_empty());
    let with_char = "fn c() {\n let _ = '{';\n let _l: &'static str = \"x\";\n}\n";
    assert_eq!(long_functions(with_char, 3), vec![("c".to_owned(), 1, 4)]);
}
