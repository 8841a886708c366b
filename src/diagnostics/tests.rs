//! Tests of diagnostics: positions, rendering, limits.

use std::path::Path;

use super::limits::MAX_DIAGNOSTICS_PER_FILE;
use super::*;

#[test]
fn line_and_column_count_characters() {
    assert_eq!(Source::new("x", "ab\nøyc").line_col(5), (2, 2));
    assert_eq!(Source::new("x", "abc").line_col(0), (1, 1));
}

#[test]
fn lines_and_columns_count_what_comes_before_the_offset() {
    let text = "ab\nøyc\n\nd";
    let src = Source::new("x", text);
    for offset in 0..=text.len() + 2 {
        let end = offset.min(text.len());
        if text.is_char_boundary(end) {
            let before = &text[..end];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
            assert_eq!(src.line_col(offset), (line, column), "{offset}");
            assert_eq!(src.lines().line(end), line, "{offset}");
        }
    }
}

#[test]
fn line_ranges() {
    let src = Source::new("x", "ab\nøyc\n\nd");
    assert_eq!(src.line_range(1), Some(0..2));
    assert_eq!(src.line_range(2), Some(3..7));
    assert_eq!(src.line_range(3), Some(8..8));
    assert_eq!(src.line_range(4), Some(9..10));
    assert_eq!(src.line_range(5), None);
    assert_eq!(src.line_range(0), None);
}

#[test]
fn suggests_close_keys() {
    assert_eq!(did_you_mean("yaer", ["year", "title"]), Some("year"));
    assert_eq!(did_you_mean("zzz", ["year", "title"]), None);
}

#[test]
fn renders_with_file_line_and_caret() {
    let src = Source::new("content/x.md", "+++\nyaer = 2024\n+++\n");
    let d = src
        .error(4..8, "unknown key `yaer`")
        .with_help("did you mean `year`?");
    let out = d.render(false);
    assert!(out.contains("content/x.md:2:1"), "{out}");
    assert!(out.contains("^^^^"), "{out}");
    assert!(out.contains("did you mean `year`?"), "{out}");
    assert_eq!(d.to_string(), "content/x.md:2:1: error: unknown key `yaer`");
}

#[test]
fn long_lines_are_cut_around_the_problem() {
    let text = format!("+++\n{}<b>x</b>{}\n", "a".repeat(100_000), "z".repeat(5000));
    let at = text.find("<b>").unwrap();
    let src = Source::new("content/x.md", text.as_str());
    let out = src.error(at..at + 3, "raw HTML <b>").render(false);
    assert!(out.contains("content/x.md:2:100001"), "{out}");
    assert!(out.contains("…aaaa"), "{out}");
    assert!(out.contains("<b>x</b>zzz"), "{out}");
    assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");
    let caret = out.lines().find(|l| l.contains('^')).unwrap();
    let code = out.lines().find(|l| l.contains("<b>x</b>")).unwrap();
    assert_eq!(
        caret.find('^').map(|i| caret[..i].chars().count()),
        code.find('<').map(|i| code[..i].chars().count())
    );
}

/// A file name or a line of a file can hold terminal escape codes: shown escaped,
/// with the caret still under the problem.
#[test]
fn control_characters_are_shown_escaped() {
    let d = Diagnostic::file(
        "content/members/\x1b[31mrod\u{202e}",
        "the member folder name `\x1b[31mrod` is not a valid slug",
    )
    .with_help("not \x07 this");
    // In colour the renderer's own escape codes are there, but not the file's.
    for out in [d.render(false), d.render(true), d.to_string()] {
        assert!(
            out.contains("content/members/\\u{1b}[31mrod\\u{202e}"),
            "{out}"
        );
        assert!(!out.contains("\x1b[31m") && !out.contains(['\x07', '\u{202e}']));
    }
    assert!(!d.render(false).contains('\x1b'), "{}", d.render(false));
    assert!(d.render(false).contains("not \\u{7} this"));

    let text = "+++\nx\x1b[2J\x1b]0;t\x07 <b>fet</b>\r\n";
    let src = Source::new("x.md", text);
    let at = text.find("<b>").unwrap();
    let out = src.error(at..at + 3, "raw HTML <b>").render(false);
    assert!(!out.contains(['\x1b', '\x07']), "{out}");
    assert!(
        out.contains("x\\u{1b}[2J\\u{1b}]0;t\\u{7} <b>fet</b>"),
        "{out}"
    );
    assert!(!out.contains("\\r"), "{out}");
    let code = out.lines().find(|l| l.contains("<b>fet")).unwrap();
    let caret = out.lines().find(|l| l.contains('^')).unwrap();
    let col = |l: &str, c: char| l.find(c).map(|i| l[..i].chars().count());
    assert_eq!(col(caret, '^'), col(code, '<'), "{out}");
    assert_eq!(caret.matches('^').count(), 3, "{out}");
}

/// Each stage keeps to the limit per file; the stages of one file together too.
#[test]
fn the_limit_per_file_holds_over_all_stages() {
    let src = Source::new("r.md", "x\n");
    let stage = |n: usize| {
        let mut f = FileDiagnostics::default();
        for i in 0..n {
            f.error(|| src.error(0..1, format!("e{i}")));
            f.warning(|| src.error(0..1, format!("w{i}")).warning());
        }
        f.finish(&src)
    };
    let mut all = stage(150);
    all.extend(stage(30));
    all.push(Diagnostic::file("other.md", "e"));
    let mut capped = cap_per_file(all);
    sort(&mut capped);
    let errors: Vec<&Diagnostic> = capped
        .iter()
        .filter(|d| d.file == Path::new("r.md") && d.is_error())
        .collect();
    assert_eq!(errors.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
    // 50 left out by the first stage, 30 by the rule over both.
    assert_eq!(errors[100].message, "80 more errors in this file");
    assert!(errors[..100].iter().all(|d| d.omitted == 0));
    let notes: Vec<&str> = capped
        .iter()
        .filter(|d| d.omitted > 0)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        notes,
        [
            "80 more errors in this file",
            "80 more warnings in this file"
        ]
    );
    assert!(capped.iter().any(|d| d.file == Path::new("other.md")));
}

#[test]
fn snippets_keep_their_line_numbers() {
    let src = Source::new("x.md", "a\nb\nccc ddd\ne\n");
    let out = src.error(8..11, "here").render(false);
    assert!(out.contains("x.md:3:5"), "{out}");
    assert!(out.contains("3 | ccc ddd"), "{out}");
    assert!(out.contains("^^^"), "{out}");
}
