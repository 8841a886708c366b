//! The browser's comparison (themes/default/static/compare-core.js) against the static
//! pages and src/compare/: one set of rules, held together. Needs `node` (and
//! `python3` for the generated corpus).
//!
//! - For every static comparison page (each report against the one before) of the
//!   sample site, every fixture and a generated corpus, the comparison the browser
//!   makes from the two reports' rapport.json must show exactly what the static page
//!   shows: summary, key figures, every question's status and title, and the same
//!   HTML for its changes (tests/browser/compare-consistency.mjs).
//! - The sequence diff under every comparison (myers.rs and its port) must give the
//!   same runs for random sequences.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use aktsom::compare::myers::{self, Run};
use common::*;

fn node() -> Command {
    let mut c = Command::new("node");
    c.current_dir(repo_root().join("tests/browser"));
    c
}

/// Runs a command and returns its output, or panics with what it printed.
fn run(mut c: Command, input: Option<&[u8]>) -> String {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {c:?} (is it installed?): {e}"));
    if let Some(input) = input {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{c:?} failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// A small deterministic generator (a 64-bit LCG).
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn built(root: &Path, out: &Path) -> PathBuf {
    build_ok(root, out, &[]);
    out.to_path_buf()
}

#[test]
fn the_browser_shows_what_every_static_comparison_shows() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dirs = vec![built(&repo_root(), &tmp.path().join("sample"))];
    for f in ["minimal", "hostile", "compare-edits"] {
        dirs.push(built(&fixture(f), &tmp.path().join(f)));
    }
    // A generated corpus: 20 members over 5 years of realistic edits.
    let corpus = tmp.path().join("corpus-src");
    let mut corpus_py = Command::new("python3");
    corpus_py.arg(repo_root().join("bench/corpus.py")).args([
        "--members",
        "20",
        "--years",
        "5",
        "--out",
        corpus.to_str().unwrap(),
    ]);
    run(corpus_py, None);
    dirs.push(built(&corpus, &tmp.path().join("corpus")));

    let mut c = node();
    c.arg("compare-consistency.mjs");
    for d in &dirs {
        c.arg("--dir").arg(d);
    }
    let out = run(c, None);
    eprintln!("{out}");
    // 11 pairs in the sample site, 1 + 1 + 4 in the fixtures, 20 × 4 in the corpus.
    let last = out.lines().last().unwrap_or("");
    assert!(
        last.starts_with("97 pairs, ") && last.ends_with(": 0 differences"),
        "{out}"
    );
}

#[test]
fn the_sequence_diff_is_the_same_in_rust_and_in_the_browser() {
    // Random sequences over small alphabets (many equal elements, many ties), and a
    // few longer than the size bound.
    let mut rng = Rng(11);
    let mut cases: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for i in 0..4000 {
        let max = if i % 4 == 0 { 60 } else { 16 };
        let k = 1 + rng.next(6);
        let len = rng.next(max);
        let a: Vec<String> = (0..len).map(|_| format!("w{}", rng.next(k))).collect();
        // Half the cases: b an edit of a, as real texts are.
        let b = if i % 2 == 0 {
            let mut b = a.clone();
            for _ in 0..rng.next(5) {
                let at = rng.next(b.len() as u64 + 1) as usize;
                match rng.next(3) {
                    0 if at < b.len() => {
                        b.remove(at);
                    }
                    1 if at < b.len() => b[at] = format!("x{}", rng.next(3)),
                    _ => b.insert(at, format!("y{}", rng.next(3))),
                }
            }
            b
        } else {
            let len = rng.next(max);
            (0..len).map(|_| format!("w{}", rng.next(k))).collect()
        };
        cases.push((a, b));
    }
    let long: Vec<String> = (0..myers::MAX_DIFF + 3).map(|i| format!("l{i}")).collect();
    let mut reversed = long.clone();
    reversed.reverse();
    cases.push((long.clone(), reversed));
    let mut shifted = long.clone();
    shifted.insert(myers::MAX_DIFF / 2, "ny".into());
    cases.push((long, shifted));

    let json = serde_json::to_vec(&cases).unwrap();
    let mut c = node();
    c.args([
        "--input-type=module",
        "-e",
        &format!(
            "import fs from 'node:fs'; import core from '../../themes/default/static/compare-core.js';
             const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
             process.stdout.write(JSON.stringify(cases.map(([a, b]) => core.diff(a, b, {}))));",
            myers::MAX_DIFF
        ),
    ]);
    let out = run(c, Some(&json));
    let js: Vec<Vec<serde_json::Value>> = serde_json::from_str(&out).unwrap();
    assert_eq!(js.len(), cases.len());
    for ((a, b), js) in cases.iter().zip(js) {
        let rust: Vec<serde_json::Value> = myers::diff(a, b)
            .into_iter()
            .map(|r| {
                let (eq, x, y) = match r {
                    Run::Equal(x, y) => (true, x, y),
                    Run::Changed(x, y) => (false, x, y),
                };
                serde_json::json!({"eq": eq, "a0": x.start, "a1": x.end, "b0": y.start, "b1": y.end})
            })
            .collect();
        assert_eq!(rust, js, "a = {a:?}\nb = {b:?}");
    }
}
