//! The floor for `bench/run`: reads every report of a site (`content/members/*/*.md`),
//! renders its Markdown with pulldown-cmark (the options aktsom uses: tables, footnotes,
//! strikethrough) and writes the HTML to `OUT/<member>/<year>/index.html`, on all cores
//! (rayon). Nothing else: no templates, no other pages. A site generator that renders
//! the same Markdown cannot be faster than this by much.
//!
//!     aktsom-bench-floor SITE_ROOT OUT

use pulldown_cmark::{Options, Parser, html};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, out] = args.as_slice() else {
        eprintln!("usage: aktsom-bench-floor SITE_ROOT OUT");
        return ExitCode::from(2);
    };
    match run(Path::new(root), Path::new(out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(root: &Path, out: &Path) -> Result<(), String> {
    let start = Instant::now();
    let files = reports(&root.join("content").join("members"))?;
    let bytes: Vec<usize> = files
        .par_iter()
        .map(|(member, md)| render(md, &out.join(member)))
        .collect::<Result<_, _>>()?;
    println!(
        "Rendered {} reports ({} bytes of HTML) in {:.2} s",
        files.len(),
        bytes.iter().sum::<usize>(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `(member, path)` of every `content/members/<member>/<year>.md`, sorted.
fn reports(members: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let err = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let mut files = Vec::new();
    for member in std::fs::read_dir(members).map_err(|e| err(members, e))? {
        let member = member.map_err(|e| err(members, e))?.path();
        if !member.is_dir() {
            continue;
        }
        let name = member
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        for file in std::fs::read_dir(&member).map_err(|e| err(&member, e))? {
            let path = file.map_err(|e| err(&member, e))?.path();
            if path.extension().is_some_and(|x| x == "md") {
                files.push((name.clone(), path));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Renders one report into `dir/<year>/index.html`; returns the HTML's length.
fn render(md: &Path, dir: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(md).map_err(|e| format!("{}: {e}", md.display()))?;
    let body = strip_front_matter(&text);
    let opts = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(body, opts));
    let year = md.file_stem().unwrap_or_default();
    let dir = dir.join(year);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join("index.html");
    std::fs::write(&file, &out).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(out.len())
}

/// The Markdown after the `+++` TOML front matter (the whole text if there is none).
fn strip_front_matter(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("+++\n") else {
        return text;
    };
    match rest.find("\n+++\n") {
        Some(end) => &rest[end + 5..],
        None => text,
    }
}
