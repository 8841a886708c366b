//! What an import found, said for the terminal: the questions found and missing, the
//! key figures, the tables, the form's own text left out, and how the report is dated.

use std::fmt::Write as _;

use super::Imported;

/// `1 row`, `3 rows`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The items joined with `sep`, or `none`.
fn or_none(items: &[String], sep: &str) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(sep)
    }
}

/// What an import found, for the terminal.
pub fn summary(i: &Imported) -> String {
    let mut out = format!("Imported {} → {}\n", i.input.display(), i.report.display());
    if let Some(m) = &i.member_toml {
        let _ = writeln!(out, "  new member: {}", m.display());
    }
    let total = i.found.len() + i.missing.len();
    let _ = writeln!(
        out,
        "  template version {}: {} of {total} questions found",
        i.template,
        i.found.len()
    );
    let _ = writeln!(out, "  missing: {}", or_none(&i.missing, ", "));
    let _ = writeln!(out, "  key figures: {}", or_none(&figures(i), ", "));
    let _ = writeln!(out, "  tables: {}", or_none(&tables(i), "; "));
    for s in &i.skipped {
        let lines = if s.end > s.line {
            format!("lines {}–{}", s.line, s.end)
        } else {
            format!("line {}", s.line)
        };
        let _ = writeln!(
            out,
            "  left out, the form's own text: {lines} ({})",
            s.message
        );
    }
    let _ = writeln!(out, "  {}", i.dating);
    out
}

/// Each key figure found: `employees = 54 (line 113)`.
fn figures(i: &Imported) -> Vec<String> {
    i.figures
        .iter()
        .map(|f| {
            let v = if f.whole {
                format!("{}", f.value as i64)
            } else {
                f.value.to_string()
            };
            format!("{} = {v} (line {})", f.id, f.line)
        })
        .collect()
}

/// Each table found: its size, or that it was written as text or was empty.
fn tables(i: &Imported) -> Vec<String> {
    i.tables
        .iter()
        .map(|t| match (t.as_table, t.rows) {
            (_, 0) => format!("{} empty (line {})", t.place, t.line),
            (true, rows) => format!(
                "{} {} × {} columns (line {})",
                t.place,
                count(rows, "row"),
                t.columns,
                t.line
            ),
            (false, rows) => format!(
                "{} {} as text (line {})",
                t.place,
                count(rows, "record"),
                t.line
            ),
        })
        .collect()
}
