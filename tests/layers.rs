//! The layers of the crate, read from its source: which top-level module uses which
//! (`use crate::…` and `crate::…` paths), so that no two modules depend on each other,
//! directly or around a longer cycle, and the core never reaches into a feature.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crate root's own items (`crate::build` …) count as the module `lib`.
const ROOT: &str = "lib";

/// Modules that make pages from the model through the core; the core must not use them.
const FEATURES: &[&str] = &["compare", "data", "overview", "questions", "search"];

/// The core: the model, its rendering and its addresses.
const CORE: &[&str] = &[
    "config",
    "content",
    "diagnostics",
    "format",
    "html",
    "markdown",
    "pages",
    "render",
    "reporting",
    "routes",
    "text",
    "theme",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level modules: `src/x.rs` and `src/x/`.
fn modules() -> BTreeSet<String> {
    std::fs::read_dir(src())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            if p.is_dir() {
                Some(name)
            } else {
                name.strip_suffix(".rs").map(str::to_string)
            }
        })
        .filter(|m| m != "main" && m != "lib")
        .collect()
}

/// The top-level module a source file belongs to.
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_str()
        .unwrap();
    first.trim_end_matches(".rs").to_string()
}

/// The source without comments (line comments and doc comments: a doc link is not a
/// dependency).
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first path segment of every `crate::` path in `code`, the members of
/// `crate::{a, b::c}` groups included.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        // Not `$crate::` in a macro, nor the tail of another name (`aktsom_crate::`).
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start => {
                        start = false;
                        out.push(ident_at(&group[j..]).to_string());
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident_at(rest).to_string());
        }
    }
    out
}

/// Module → the modules it uses.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let from = module_of(&file);
        if from == "main.rs" || from == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let text = code(&text);
        // The crate root declares every module; only what its items use counts.
        let text = if from == ROOT {
            text.lines()
                .filter(|l| {
                    !l.trim_start().starts_with("pub mod ") && !l.trim_start().starts_with("mod ")
                })
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            text
        };
        let entry = edges.entry(from.clone()).or_default();
        for first in crate_paths(&text) {
            let to = if modules.contains(&first) {
                first
            } else {
                ROOT.to_string()
            };
            if to != from {
                entry.insert(to);
            }
        }
    }
    edges
}

/// A cycle through `start`, if there is one: the modules in order.
fn cycle_from(edges: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    // Depth-first, remembering the path.
    fn walk(
        edges: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in edges.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(edges, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    walk(edges, start, start, &mut path, &mut seen).then_some(path)
}

#[test]
fn no_cycles_between_modules() {
    let edges = edges();
    assert!(edges.len() > 10, "found too few modules: {edges:?}");
    let mut cycles: BTreeSet<Vec<String>> = BTreeSet::new();
    for m in edges.keys() {
        if let Some(mut c) = cycle_from(&edges, m) {
            // The same cycle from each of its modules: name it from its smallest.
            let min = c
                .iter()
                .enumerate()
                .min_by_key(|(_, m)| *m)
                .map(|(i, _)| i)
                .unwrap();
            c.rotate_left(min);
            cycles.insert(c);
        }
    }
    let named: Vec<String> = cycles
        .iter()
        .map(|c| format!("{} → {}", c.join(" → "), c[0]))
        .collect();
    assert!(
        named.is_empty(),
        "modules that depend on each other:\n{}",
        named.join("\n")
    );
}

#[test]
fn the_core_uses_no_feature() {
    let edges = edges();
    let mut wrong = Vec::new();
    for core in CORE {
        for to in edges.get(*core).into_iter().flatten() {
            if FEATURES.contains(&to.as_str()) || to == ROOT {
                wrong.push(format!("{core} → {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the core uses a feature or the build:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn paths_are_read_from_groups() {
    let code = "use crate::{a::B, c, d::{e, f}};\nlet x = crate::g::h();\nmacro $crate::i";
    assert_eq!(crate_paths(code), ["a", "c", "d", "g"]);
}

/// The default theme's templates: (file name, text).
fn default_templates() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Where `template` joins a path to one of the site's addresses (`site.base`,
/// `site.base_url`, `site.origin`): `{{ site.base }}ar/`, `site.base ~ "ar/"`,
/// `{{ site.origin }}{{ e.url }}`.
fn joins(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in template.match_indices("site.") {
        let rest = &template[i + "site.".len()..];
        let name = ident_at(rest);
        if !matches!(name, "base" | "base_url" | "origin") {
            continue;
        }
        let after = rest[name.len()..].trim_start();
        let joined = after.starts_with('~')
            || after
                .strip_prefix("}}")
                .is_some_and(|a| !a.starts_with(['"', '<', '\n']));
        if joined {
            out.push(template[i..].chars().take(40).collect());
        }
    }
    out
}

/// One place makes the site's URLs (`src/routes.rs`): the default theme takes every
/// link from aktsom (`routes`, a page's values) and joins no paths itself.
#[test]
fn the_default_theme_joins_no_paths() {
    let mut wrong = Vec::new();
    for (name, text) in default_templates() {
        wrong.extend(joins(&text).into_iter().map(|j| format!("{name}: {j}")));
    }
    assert!(
        wrong.is_empty(),
        "templates that make URLs:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn joins_are_found() {
    let found = joins(r#"{{ site.base }}ar/ {{ site.base ~ "x" }} <a href="{{ site.base }}">"#);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(joins(r#"{{ site.origin }}{{ e.url }}"#).len() == 1);
    assert!(joins(r#"<id>{{ site.base_url }}</id> data-base="{{ site.base }}""#).is_empty());
}

/// Relative URLs come from `routes::relative`: no string in the crate's code (its
/// unit tests and `routes.rs` aside) starts with `../`.
#[test]
fn no_relative_urls_by_hand() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for f in files.iter().filter(|f| !f.ends_with("routes.rs")) {
        let text = std::fs::read_to_string(f).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap_or("");
        for (n, line) in text.lines().enumerate() {
            if line.contains("\"../") && !line.trim_start().starts_with("//") {
                wrong.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "relative URLs made by hand:\n{}",
        wrong.join("\n")
    );
}
