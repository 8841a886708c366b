//! Tests of the staging, swap and cleanup of output folders.

use std::ffi::OsStr;
use std::path::Path;

use crate::render::{OutFile, Sink};

use super::cleanup::leftover_kind;
use super::emit::file_id;
use super::guard::{MARKER, MARKER_TEXT, kept_name};
use super::swap::swap_by_renames;
use super::*;

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_dropped_staging_folder_leaves_the_output_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("old.html"), "old").unwrap();
    {
        let staging = Staging::new(&out).unwrap();
        let e = Emitter::to_dir(&staging, None);
        e.put(OutFile {
            path: "a/b/index.html".into(),
            bytes: b"<a href=\"https://x.no\">x</a>".to_vec(),
        })
        .unwrap();
        // A failed build drops the staging folder without publishing it.
    }
    assert_eq!(names(tmp.path()), ["public"]);
    assert_eq!(names(&out), ["old.html"]);
}

#[test]
fn publishing_swaps_the_staged_files_in() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    std::fs::create_dir_all(out.join("gone")).unwrap();
    std::fs::write(out.join("gone/old.html"), "old").unwrap();
    let staging = Staging::new(&out).unwrap();
    let e = Emitter::to_dir(&staging, Some(&out));
    e.put(OutFile {
        path: "a/b/index.html".into(),
        bytes: b"<a href=\"https://x.no\" id=\"i\">x</a><a href=\"/a/\">y</a>".to_vec(),
    })
    .unwrap();
    let done = e.finish();
    staging.publish(&done.paths).unwrap();
    // The old output is kept beside the new one for the next build.
    assert_eq!(names(tmp.path()), [".aktsom-previous-public", "public"]);
    assert_eq!(names(&out), [MARKER, "a"]);
    assert_eq!(
        std::fs::read_to_string(out.join(MARKER)).unwrap(),
        MARKER_TEXT
    );
    assert_eq!(
        std::fs::read_to_string(out.join("a/b/index.html")).unwrap(),
        "<a href=\"https://x.no\" id=\"i\" rel=\"external\">x</a><a href=\"/a/\">y</a>"
    );
    assert_eq!(done.paths, ["a/b/index.html"]);
    assert!(done.files.is_empty());
    assert_eq!(done.links[0].1.ids, ["i"]);
    assert_eq!(done.links[0].1.hrefs, ["/a/"]);
}

fn build_once(out: &Path, files: &[(&str, &str)]) {
    let staging = Staging::new(out).unwrap();
    let previous = out.is_dir().then_some(out);
    let e = Emitter::to_dir(&staging, previous);
    for (path, text) in files {
        e.put(OutFile {
            path: path.to_string(),
            bytes: text.as_bytes().to_vec(),
        })
        .unwrap();
    }
    let done = e.finish();
    staging.publish(&done.paths).unwrap();
}

/// Every file under `dir` but the marker, relative, with its text.
fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                if rel != MARKER {
                    out.push((rel, std::fs::read_to_string(&p).unwrap()));
                }
            }
        }
    }
    out.sort();
    out
}

fn pairs(files: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn a_rebuild_keeps_the_files_that_did_not_change() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let inode = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
    let first = [
        ("a/index.html", "<p>a</p>"),
        ("b.json", "{}"),
        ("c/d/old.html", "old"),
    ];
    build_once(&out, &first);
    let a = inode("a/index.html");
    let second = [
        ("a/index.html", "<p>a</p>"),
        ("b.json", "{\"x\":1}"),
        ("e/f.html", "new"),
    ];
    build_once(&out, &second);
    // The same file, not a copy: the unchanged page keeps its inode (and its
    // modification time); changed and new files are new, gone ones are gone.
    assert_eq!(tree(&out), pairs(&second));
    assert_eq!(inode("a/index.html"), a);
    assert_eq!(names(tmp.path()), [".aktsom-previous-public", "public"]);
    let b = inode("b.json");
    // The third build takes the first one's folder: what it held and the third does
    // not produce (c/d/old.html and its folders) is removed, the rest is reused.
    let third = [
        ("a/index.html", "<p>a</p>"),
        ("b.json", "{\"x\":1}"),
        ("e/f.html", "newer"),
    ];
    build_once(&out, &third);
    assert_eq!(tree(&out), pairs(&third));
    assert!(!out.join("c").exists());
    assert_eq!((inode("a/index.html"), inode("b.json")), (a, b));
    assert_eq!(
        tree(&tmp.path().join(".aktsom-previous-public")),
        pairs(&second)
    );
    // Every published file has one name in the output (and maybe one in the kept
    // folder), never more.
    assert!(std::fs::metadata(out.join("a/index.html")).unwrap().nlink() <= 2);
}

#[test]
fn a_failed_build_after_a_reused_folder_leaves_the_output_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_once(&out, &[("a.html", "1")]);
    build_once(&out, &[("a.html", "2")]);
    {
        let staging = Staging::new(&out).unwrap();
        assert!(staging.reused());
        let e = Emitter::to_dir(&staging, Some(&out));
        e.put(OutFile {
            path: "a.html".into(),
            bytes: b"3".to_vec(),
        })
        .unwrap();
        e.put(OutFile {
            path: "b.html".into(),
            bytes: b"3".to_vec(),
        })
        .unwrap();
    }
    assert_eq!(tree(&out), pairs(&[("a.html", "2")]));
    assert_eq!(names(tmp.path()), ["public"]);
    build_once(&out, &[("a.html", "4")]);
    assert_eq!(tree(&out), pairs(&[("a.html", "4")]));
}

#[test]
fn a_link_in_the_kept_folder_never_leads_writes_outside() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    build_once(&out, &[("a.html", "1")]);
    build_once(&out, &[("a.html", "2")]);
    let kept = tmp.path().join(".aktsom-previous-public");
    std::os::unix::fs::symlink(&outside, kept.join("m")).unwrap();
    build_once(&out, &[("a.html", "2"), ("m/x.html", "x")]);
    assert_eq!(tree(&out), pairs(&[("a.html", "2"), ("m/x.html", "x")]));
    assert!(std::fs::symlink_metadata(out.join("m")).unwrap().is_dir());
    assert!(names(&outside).is_empty());
}

#[test]
fn a_file_written_twice_never_writes_through_to_the_published_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_once(&out, &[("a.html", "<p>a</p>")]);
    {
        // The first put links the published file; the second must replace the
        // link, not write into it, and the build then fails.
        let staging = Staging::new(&out).unwrap();
        let e = Emitter::to_dir(&staging, Some(&out));
        for text in ["<p>a</p>", "<p>other</p>"] {
            e.put(OutFile {
                path: "a.html".into(),
                bytes: text.as_bytes().to_vec(),
            })
            .unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(staging.path().join("a.html")).unwrap(),
            "<p>other</p>"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("a.html")).unwrap(),
        "<p>a</p>"
    );
}

#[test]
fn a_symlink_in_the_old_output_is_never_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(tmp.path().join("elsewhere"), "<p>a</p>").unwrap();
    std::os::unix::fs::symlink(tmp.path().join("elsewhere"), out.join("a.html")).unwrap();
    build_once(&out, &[("a.html", "<p>a</p>")]);
    let meta = std::fs::symlink_metadata(out.join("a.html")).unwrap();
    assert!(meta.file_type().is_file());
    assert_eq!(
        std::fs::read_to_string(out.join("a.html")).unwrap(),
        "<p>a</p>"
    );
}

#[test]
fn only_these_names_are_leftovers() {
    use super::cleanup::Leftover::*;
    for (file, kind) in [
        (".aktsom-build-public-Ab12Cd", Some(Build)),
        (".aktsom-old-public-Ab12Cd", Some(Old)),
        (".aktsom-build-Ab12Cd", Some(Earlier)),
        (".aktsom-old-Ab12Cd", Some(Earlier)),
        (".aktsom-build-other-Ab12Cd", None),
        (".aktsom-build-public-en-Ab12Cd", None),
        (".aktsom-build-public-Ab12C", None),
        (".aktsom-build-public-Ab12Cde", None),
        (".aktsom-build-public-Ab12C-", None),
        (".aktsom-build-Ab12C", None),
        (".aktsom-build-Ab-2Cd", None),
        (".aktsom-previous-public", None),
        (".aktsom-output", None),
        ("aktsom-build-Ab12Cd", None),
        (".aktsom-builds-Ab12Cd", None),
    ] {
        assert_eq!(leftover_kind(file, "public"), kind, "{file}");
    }
    assert_eq!(
        leftover_kind(".aktsom-build-public-en-Ab12Cd", "public-en"),
        Some(Build)
    );
}

#[test]
fn kept_names() {
    for name in [
        ".git",
        ".nojekyll",
        ".well-known",
        "CNAME",
        "_headers",
        "_redirects",
    ] {
        assert!(kept_name(OsStr::new(name)), "{name}");
    }
    for name in [
        ".aktsom-output",
        ".aktsom-preview",
        "index.html",
        "cname",
        "headers",
    ] {
        assert!(!kept_name(OsStr::new(name)), "{name}");
    }
}

#[test]
fn a_swap_by_two_renames_stopped_in_between_gets_its_output_back() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_once(&out, &[("a.html", "1")]);
    build_once(&out, &[("a.html", "2")]);
    // The swap where the platform has no swap in one step.
    let new = tmp.path().join("new");
    std::fs::create_dir(&new).unwrap();
    std::fs::write(new.join("a.html"), "3").unwrap();
    let old = swap_by_renames(&new, &out, tmp.path(), "public").unwrap();
    assert_eq!(tree(&out), pairs(&[("a.html", "3")]));
    assert_eq!(tree(&old), pairs(&[("a.html", "2")]));
    assert!(
        old.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(".aktsom-old-public-")
    );
    assert!(!new.exists());
    // Stopped between its two renames: the output moved aside, the staged one not
    // in place.
    std::fs::remove_dir_all(&out).unwrap();
    let staged = tmp.path().join(".aktsom-build-public-Zz12Zz");
    std::fs::create_dir(&staged).unwrap();
    std::fs::write(staged.join("a.html"), "4").unwrap();
    let staging = Staging::new(&out).unwrap();
    assert_eq!(tree(&out), pairs(&[("a.html", "2")]));
    assert!(!old.exists() && !staged.exists());
    drop(staging);
    build_once(&out, &[("a.html", "5")]);
    assert_eq!(tree(&out), pairs(&[("a.html", "5")]));
    assert_eq!(names(tmp.path()), [".aktsom-previous-public", "public"]);
}

#[test]
fn folders_moved_out_for_the_swap_go_back_when_it_does_not_happen() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_once(&out, &[("a.html", "1")]);
    std::fs::create_dir(out.join(".git")).unwrap();
    std::fs::write(out.join(".git/HEAD"), "ref").unwrap();
    std::fs::write(out.join("CNAME"), "x.no").unwrap();
    {
        let mut staging = Staging::new(&out).unwrap();
        staging.carry_kept(&[]).unwrap();
        assert!(!out.join(".git").exists());
        assert!(staging.path().join(".git/HEAD").is_file());
        // The file is linked, so the output keeps it all along.
        assert_eq!(
            file_id(&out.join("CNAME")),
            file_id(&staging.path().join("CNAME"))
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join(".git/HEAD")).unwrap(),
        "ref"
    );
    assert_eq!(std::fs::read_to_string(out.join("CNAME")).unwrap(), "x.no");
    assert_eq!(names(tmp.path()), ["public"]);
}

#[test]
fn a_stopped_builds_kept_files_go_back_to_its_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_once(&out, &[("a.html", "1")]);
    std::fs::write(out.join("CNAME"), "x.no").unwrap();
    // Stopped after moving .git and linking CNAME, before the swap.
    let left = tmp.path().join(".aktsom-build-public-Ab12Cd");
    std::fs::create_dir_all(left.join(".git")).unwrap();
    std::fs::write(left.join(".git/HEAD"), "ref").unwrap();
    std::fs::hard_link(out.join("CNAME"), left.join("CNAME")).unwrap();
    std::fs::write(left.join("a.html"), "2").unwrap();
    let mut staging = Staging::new(&out).unwrap();
    assert!(staging.take_warnings().is_empty());
    drop(staging);
    assert_eq!(
        std::fs::read_to_string(out.join(".git/HEAD")).unwrap(),
        "ref"
    );
    assert_eq!(names(tmp.path()), ["public"]);
    // One whose own .git cannot go back (the output has another) is left alone.
    std::fs::create_dir_all(left.join(".git")).unwrap();
    std::fs::write(left.join(".git/HEAD"), "other").unwrap();
    let mut staging = Staging::new(&out).unwrap();
    let warnings = staging.take_warnings();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].message.contains("holds `.git`"),
        "{}",
        warnings[0].message
    );
    assert!(!warnings[0].is_error());
    assert_eq!(
        std::fs::read_to_string(left.join(".git/HEAD")).unwrap(),
        "other"
    );
    assert_eq!(
        std::fs::read_to_string(out.join(".git/HEAD")).unwrap(),
        "ref"
    );
}
