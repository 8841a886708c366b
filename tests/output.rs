//! Where `aktsom build` writes, and what it may replace: never the site's own folders or
//! a file; a folder only when aktsom made it (or with `--force`), always keeping the
//! dot-files and hosting files at its top; never no output at all, whatever moment a
//! build is killed at; and nothing left behind by builds that were stopped or by a
//! read-only previous output.

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

const BIN: &str = env!("CARGO_BIN_EXE_aktsom");

/// `aktsom build --root ROOT --out OUT EXTRA…`, whatever its outcome.
fn build(root: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--root", root.to_str().unwrap()];
    args.extend(["--out", out.to_str().unwrap()]);
    args.extend_from_slice(extra);
    aktsom(&args)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The folders beside the output that stopped builds leave.
fn leftovers(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.starts_with(".aktsom-build-") || n.starts_with(".aktsom-old-"))
        .collect()
}

/// Every file of an output but those a build keeps (dot-files other than the marker,
/// hosting files); nothing when there is no output.
fn published(out: &Path) -> Vec<(String, Vec<u8>)> {
    if !out.is_dir() {
        return Vec::new();
    }
    let hosting = [
        "CNAME",
        "_headers",
        "_redirects",
        "_routes.json",
        "_worker.js",
    ];
    tree(out)
        .into_iter()
        .filter(|(p, _)| {
            p == ".aktsom-output" || !(p.starts_with('.') || hosting.contains(&p.as_str()))
        })
        .collect()
}

/// The paths whose files differ between two [`published`] trees, for messages.
fn differ(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut paths: Vec<String> = a
        .iter()
        .filter(|f| !b.contains(f))
        .chain(b.iter().filter(|f| !a.contains(f)))
        .map(|(p, _)| p.clone())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// An edit that changes one report page.
fn edit(site: &Path, text: &str) {
    let report = site.join("content/members/alfa-kommune/2024.md");
    let mut md = read(&report);
    md.push_str(&format!("\n{text}\n"));
    std::fs::write(report, md).unwrap();
}

/// What the site builds to now, built into a folder of its own.
fn fresh_build(site: &Path) -> Vec<(String, Vec<u8>)> {
    let tmp = tempfile::tempdir().unwrap();
    build_ok(site, &tmp.path().join("public"), &[]);
    published(&tmp.path().join("public"))
}

/// A Pages checkout's own files: a `.git` folder and a `CNAME`.
fn add_checkout_files(out: &Path) {
    std::fs::create_dir_all(out.join(".git/refs/heads")).unwrap();
    std::fs::write(out.join(".git/HEAD"), "ref: refs/heads/gh-pages\n").unwrap();
    std::fs::write(out.join(".git/refs/heads/gh-pages"), "0123abc\n").unwrap();
    std::fs::write(out.join("CNAME"), "rapporter.example.no\n").unwrap();
}

/// What is missing of the files [`add_checkout_files`] made, if anything.
fn checkout_problem(out: &Path) -> Option<String> {
    [
        (".git/HEAD", "ref: refs/heads/gh-pages\n"),
        (".git/refs/heads/gh-pages", "0123abc\n"),
        ("CNAME", "rapporter.example.no\n"),
    ]
    .iter()
    .find(|(path, text)| std::fs::read_to_string(out.join(path)).ok().as_deref() != Some(text))
    .map(|(path, _)| format!("{path} is gone or changed"))
}

fn assert_checkout_files(out: &Path, when: &str) {
    if let Some(problem) = checkout_problem(out) {
        panic!("{when}: {problem}");
    }
}

#[test]
fn never_builds_into_the_sites_own_folders() {
    let site = copy_fixture("minimal");
    let root = site.path();
    // Another name for content/, from outside the site.
    let elsewhere = tempfile::tempdir().unwrap();
    let link = elsewhere.path().join("innhold");
    std::os::unix::fs::symlink(root.join("content"), &link).unwrap();
    let before = tree(root);
    for out in [
        "content",
        "content/members",
        "content/../content/ny",
        "static/site",
        "templates",
        "i18n/ut",
        "themes/default",
        "report-templates",
        "../innhold/ut",
    ] {
        let out = if out.starts_with("..") {
            link.join("ut")
        } else {
            root.join(out)
        };
        for extra in [&[][..], &["--force"]] {
            // Twice: a first build that went through would be deleted by the second.
            for _ in 0..2 {
                let o = build(root, &out, extra);
                let out = out.display();
                let err = stderr(&o);
                assert_eq!(o.status.code(), Some(1), "--out {out} {extra:?}: {err}");
                assert!(err.contains("inside the site's sources"), "{out}: {err}");
                assert!(err.contains("such as"), "{out}: {err}");
            }
        }
    }
    for extra in [&[][..], &["--force"]] {
        let o = build(root, root, extra);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("contains the site itself"));
    }
    // Not a file was added, changed or removed (no output grew inside static/).
    assert!(tree(root) == before, "a refused build changed the site");
}

#[test]
fn never_builds_into_the_home_folder() {
    let site = copy_fixture("minimal");
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("brev.txt"), "viktig").unwrap();
    let o = Command::new(BIN)
        .args(["build", "--force", "--root"])
        .arg(site.path())
        .arg("--out")
        .arg(home.path())
        .env("HOME", home.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("your home folder"), "{}", stderr(&o));
    assert_eq!(names(home.path()), ["brev.txt"]);
}

#[test]
fn refuses_a_folder_it_did_not_make_unless_forced() {
    let site = copy_fixture("minimal");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    std::fs::create_dir_all(out.join("gammelt")).unwrap();
    std::fs::write(out.join("notater.txt"), "viktig").unwrap();
    std::fs::write(out.join("gammelt/side.html"), "<p>gammel</p>").unwrap();
    add_checkout_files(&out);
    for (name, text) in [
        (".nojekyll", ""),
        ("_headers", "/*\n  X-Frame-Options: DENY\n"),
        ("_redirects", "/gammel /ny 301\n"),
    ] {
        std::fs::write(out.join(name), text).unwrap();
    }
    let before = tree(&out);
    let o = build(site.path(), &out, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is not empty and was not made by aktsom")
            && err.contains("`gammelt/`, `notater.txt`")
            && err.contains("--force"),
        "{err}"
    );
    assert!(tree(&out) == before, "a refused build changed the folder");

    build_ok(site.path(), &out, &["--force"]);
    assert!(out.join("index.html").is_file());
    assert!(!out.join("notater.txt").exists() && !out.join("gammelt").exists());
    assert_checkout_files(&out, "after --force");
    assert_eq!(read(&out.join("_redirects")), "/gammel /ny 301\n");
    assert!(out.join(".nojekyll").is_file() && out.join("_headers").is_file());
    assert!(out.join(".aktsom-output").is_file());
    // Made by aktsom now: later builds need no --force, and still keep those files.
    for text in ["Første endring.", "Andre endring."] {
        edit(site.path(), text);
        build_ok(site.path(), &out, &[]);
        assert_checkout_files(&out, text);
        assert_eq!(read(&out.join("_redirects")), "/gammel /ny 301\n");
        assert!(read(&out.join("medlemmer/alfa-kommune/2024/index.html")).contains(text));
    }
    assert_eq!(differ(&published(&out), &fresh_build(site.path())), [""; 0]);
    assert!(leftovers(tmp.path()).is_empty());
}

#[test]
fn a_pages_checkout_keeps_its_own_files_and_the_site_wins_for_its_own() {
    let site = copy_fixture("minimal");
    // The site publishes its own _redirects through static/.
    std::fs::create_dir_all(site.path().join("static")).unwrap();
    std::fs::write(site.path().join("static/_redirects"), "/fra-nettstedet /\n").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    // A checkout holding nothing a build would remove needs no --force.
    add_checkout_files(&out);
    std::fs::write(out.join("_redirects"), "/fra-utsjekken /\n").unwrap();
    for (i, text) in ["", "Første endring.", "Andre endring."].iter().enumerate() {
        edit(site.path(), text);
        build_ok(site.path(), &out, &[]);
        assert_checkout_files(&out, &format!("build {i}"));
        assert_eq!(read(&out.join("_redirects")), "/fra-nettstedet /\n");
    }
    assert_eq!(differ(&published(&out), &fresh_build(site.path())), [""; 0]);
}

#[test]
fn refuses_a_file_as_the_output() {
    let site = copy_fixture("minimal");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("public");
    std::fs::write(&file, "not a folder").unwrap();
    for extra in [&[][..], &["--force"]] {
        let o = build(site.path(), &file, extra);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("is a file, not a folder"),
            "{}",
            stderr(&o)
        );
        assert_eq!(read(&file), "not a folder");
        assert_eq!(names(tmp.path()), ["public"]);
    }
}

#[test]
fn an_output_of_an_earlier_version_is_replaced_without_force() {
    let site = copy_fixture("minimal");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build_ok(site.path(), &out, &[]);
    // What versions before the marker left: the same output, without the marker.
    std::fs::remove_file(out.join(".aktsom-output")).unwrap();
    edit(site.path(), "Endret.");
    build_ok(site.path(), &out, &[]);
    assert!(out.join(".aktsom-output").is_file());
    assert_eq!(differ(&published(&out), &fresh_build(site.path())), [""; 0]);
    // Without every file such an output has, the folder is someone else's.
    std::fs::remove_file(out.join(".aktsom-output")).unwrap();
    std::fs::remove_file(out.join("sitemap.xml")).unwrap();
    let o = build(site.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn a_link_to_the_output_folder_is_followed_and_kept() {
    let site = copy_fixture("minimal");
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("www/site");
    std::fs::create_dir_all(&target).unwrap();
    let link = tmp.path().join("public");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for text in ["Første.", "Andre.", "Tredje."] {
        edit(site.path(), text);
        build_ok(site.path(), &link, &[]);
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "the link was replaced"
        );
        assert!(read(&target.join("medlemmer/alfa-kommune/2024/index.html")).contains(text));
    }
    assert_eq!(names(tmp.path()), ["public", "www"]);
    assert_eq!(leftovers(&tmp.path().join("www")), Vec::<String>::new());
    // A link that leads nowhere is refused.
    std::fs::remove_dir_all(tmp.path().join("www")).unwrap();
    let o = build(site.path(), &link, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("which does not exist"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn removes_what_stopped_builds_left_and_nothing_else() {
    let site = copy_fixture("minimal");
    let root = site.path();
    let out = root.join("public");
    build_ok(root, &out, &[]);
    add_checkout_files(&out);
    let mk = |path: &str, text: &str| {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    // Left by stopped builds: this version's, and earlier versions' (no output name).
    mk(".aktsom-build-public-Ab12Cd/medlemmer/a/index.html", "a");
    mk(".aktsom-old-public-xY98zz/index.html", "x");
    mk(".aktsom-build-Qw12Er/sok/index.html", "q");
    mk(".aktsom-old-Zz99aa/index.html", "z");
    // Moved out of the output by a build stopped before its swap: goes back.
    mk(".aktsom-build-public-Gi7Gi7/.nojekyll", "");
    // Not leftovers, or not this output's: never touched.
    let keep = [
        ".aktsom-build-toolong1/x",
        ".aktsom-build-abc/x",
        ".aktsom-build-public-abc/x",
        ".aktsom-build-other-Ab12Cd/x",
        ".aktsom-previous-other/x",
        "aktsom-build-Ab12Cd/x",
        "target/keep.txt",
    ];
    for p in keep {
        mk(p, "keep");
    }
    std::fs::write(root.join(".aktsom-old-Fi12Fi"), "a file").unwrap();
    std::os::unix::fs::symlink(root.join("target"), root.join(".aktsom-build-Lk12Lk")).unwrap();
    // An earlier version's leftover holding a .git of its own: the user's, kept.
    mk(".aktsom-old-Gt12Gt/.git/HEAD", "ref: refs/heads/main\n");

    let o = build_ok(root, &out, &[]);
    let err = stderr(&o);
    assert_eq!(
        leftovers(root),
        [
            ".aktsom-build-Lk12Lk",
            ".aktsom-build-abc",
            ".aktsom-build-other-Ab12Cd",
            ".aktsom-build-public-abc",
            ".aktsom-build-toolong1",
            ".aktsom-old-Fi12Fi",
            ".aktsom-old-Gt12Gt",
        ]
    );
    for p in keep {
        assert_eq!(read(&root.join(p)), "keep", "{p}");
    }
    assert_eq!(read(&root.join(".aktsom-old-Fi12Fi")), "a file");
    assert_eq!(
        read(&root.join(".aktsom-old-Gt12Gt/.git/HEAD")),
        "ref: refs/heads/main\n"
    );
    assert!(
        err.contains(".aktsom-old-Gt12Gt") && err.contains("holds `.git`"),
        "{err}"
    );
    assert!(out.join(".nojekyll").is_file());
    assert_checkout_files(&out, "after the clean-up");
    assert_eq!(differ(&published(&out), &fresh_build(root)), [""; 0]);
}

/// Whether strace can run and trace here (it needs ptrace).
fn strace_works() -> bool {
    Command::new("strace")
        .args(["-f", "-o", "/dev/null", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_build_killed_at_any_rename_leaves_a_whole_output() {
    if !strace_works() {
        eprintln!("note: strace is missing or cannot trace here; the crash test is skipped");
        return;
    }
    // Every rename of a build in turn fails and kills the build (strace's fault
    // injection), after two builds and an edit: the swap's moment included.
    let mut killed = 0;
    // Checked last, so that a build that leaves no output fails first: the user's
    // files lost, folders left behind.
    let mut lost = Vec::new();
    for call in ["rename", "renameat", "renameat2"] {
        for n in 1.. {
            assert!(n < 20, "{call}: more renames than a build makes");
            let site = copy_fixture("minimal");
            let root = site.path();
            let out = root.join("public");
            build_ok(root, &out, &[]);
            add_checkout_files(&out);
            build_ok(root, &out, &[]);
            let old = published(&out);
            edit(root, "Endret.");
            let new = fresh_build(root);
            let o = Command::new("strace")
                .args(["-f", "-o", "/dev/null", "-e"])
                .arg(format!("trace={call}"))
                .arg("-e")
                .arg(format!("inject={call}:error=EIO:signal=SIGKILL:when={n}"))
                .args([BIN, "build", "--root"])
                .arg(root)
                .arg("--out")
                .arg(&out)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let when = format!("killed at {call} #{n}");
            let now = published(&out);
            assert!(
                now == old || now == new,
                "{when}: the output is neither the old one nor the new one ({} files)",
                now.len()
            );
            // The next build finishes the job, keeps the checkout's files and leaves
            // nothing behind.
            build_ok(root, &out, &[]);
            assert_eq!(differ(&published(&out), &new), [""; 0], "{when}");
            lost.extend(checkout_problem(&out).map(|p| format!("{when}: {p}")));
            lost.extend(
                leftovers(root)
                    .iter()
                    .map(|l| format!("{when}: {l} is left")),
            );
            if o.status.success() {
                break;
            }
            killed += 1;
        }
    }
    assert!(killed >= 3, "only {killed} builds were killed");
    assert_eq!(lost, Vec::<String>::new());
}

/// The user id this process runs as (of a file it makes).
fn uid() -> u32 {
    let f = tempfile::NamedTempFile::new().unwrap();
    f.as_file().metadata().unwrap().uid()
}

fn chown_tree(p: &Path, id: u32) {
    std::os::unix::fs::lchown(p, Some(id), Some(id)).unwrap();
    if std::fs::symlink_metadata(p).unwrap().is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            chown_tree(&e.unwrap().path(), id);
        }
    }
}

/// `chmod -R a-w` (`write` false) or `chmod -R u+w` (true).
fn chmod_tree(p: &Path, write: bool) {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(p).unwrap();
    if meta.file_type().is_symlink() {
        return;
    }
    let mode = meta.permissions().mode();
    let mode = if write { mode | 0o200 } else { mode & !0o222 };
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    if meta.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            chmod_tree(&e.unwrap().path(), write);
        }
    }
}

const NOBODY: u32 = 65534;

/// How to run aktsom so that file permissions apply: as root (whom `chmod` does not
/// stop), as `nobody` through setpriv; `None` when that is not possible here.
fn unprivileged() -> Option<Vec<String>> {
    if uid() != 0 {
        return Some(vec![BIN.to_string()]);
    }
    let runner: Vec<String> = [
        "setpriv",
        &format!("--reuid={NOBODY}"),
        &format!("--regid={NOBODY}"),
        "--clear-groups",
        BIN,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let works = Command::new(&runner[0])
        .args(&runner[1..])
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    works.then_some(runner)
}

#[test]
fn a_read_only_previous_output_never_breaks_a_build() {
    let Some(runner) = unprivileged() else {
        eprintln!(
            "note: running as root without setpriv (or the binary is not readable by \
             nobody): the read-only test is skipped"
        );
        return;
    };
    for read_only in ["public", ".aktsom-previous-public"] {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        copy_dir(&fixture("minimal"), &root);
        if uid() == 0 {
            chown_tree(tmp.path(), NOBODY);
        }
        let out = root.join("public");
        let run = || {
            Command::new(&runner[0])
                .args(&runner[1..])
                .args(["build", "--root"])
                .arg(&root)
                .env("NO_COLOR", "1")
                .output()
                .unwrap()
        };
        for _ in 0..2 {
            assert!(run().status.success());
        }
        chmod_tree(&root.join(read_only), false);
        // The read-only folder becomes (or is) the kept previous output: a build meets
        // it, says so, and writes a fresh folder instead.
        let mut met = false;
        for text in ["Første.", "Andre.", "Tredje."] {
            edit(&root, text);
            let o = run();
            let when = format!("{read_only} read-only, {text}");
            assert!(o.status.success(), "{when}: {}", stderr(&o));
            met |= stderr(&o).contains("cannot be reused");
            assert_eq!(
                differ(&published(&out), &fresh_build(&root)),
                [""; 0],
                "{when}"
            );
            assert_eq!(leftovers(&root), Vec::<String>::new(), "{when}");
        }
        assert!(met, "{read_only}: no build met the read-only folder");
        chmod_tree(tmp.path(), true);
    }
}

#[test]
fn serve_never_previews_into_the_sites_sources() {
    let site = copy_fixture("minimal");
    let out = site.path().join("content/forhandsvisning");
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--root"])
        .arg(site.path())
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded, so that a preview that starts fails the test instead of hanging it.
    let until = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("serve started a preview inside content/");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let o = child.wait_with_output().unwrap();
    assert!(!status.success());
    assert!(
        stderr(&o).contains("inside the site's sources"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}
