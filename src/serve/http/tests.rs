//! Tests of the HTTP side: paths to files, the Host check, content types.

use std::path::{Path, PathBuf};

use super::*;

fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("medlemmer/a b")).unwrap();
    std::fs::write(out.join("index.html"), "i").unwrap();
    std::fs::write(out.join("medlemmer/a b/index.html"), "m").unwrap();
    std::fs::write(dir.path().join("secret.toml"), "s").unwrap();
    let out = out.canonicalize().unwrap();
    (dir, out)
}

#[test]
fn resolves_files_and_folders() {
    let (_d, out) = site();
    assert_eq!(resolve(&out, "/"), Resolved::File(out.join("index.html")));
    assert_eq!(
        resolve(&out, "/medlemmer/a%20b/"),
        Resolved::File(out.join("medlemmer/a b/index.html"))
    );
    assert_eq!(
        resolve(&out, "/medlemmer/a%20b"),
        Resolved::Redirect("/medlemmer/a%20b/".into())
    );
    assert_eq!(resolve(&out, "/nope.html"), Resolved::NotFound);
    assert_eq!(resolve(&out, "/index.html/"), Resolved::NotFound);
}

#[test]
fn refuses_traversal() {
    let (_d, out) = site();
    for p in [
        "/../secret.toml",
        "/%2e%2e/secret.toml",
        "/..%2fsecret.toml",
        "/..%2Fsecret.toml",
        "/..%5csecret.toml",
        "/..\\secret.toml",
        "/index.html%00",
        "/medlemmer/./a",
        "//secret.toml",
        "/%ff",
        "secret.toml",
    ] {
        assert_eq!(resolve(&out, p), Resolved::Bad, "{p}");
    }
}

#[cfg(unix)]
#[test]
fn refuses_symlinks_leading_out() {
    let (d, out) = site();
    std::os::unix::fs::symlink(d.path().join("secret.toml"), out.join("link.toml")).unwrap();
    std::os::unix::fs::symlink(d.path(), out.join("up")).unwrap();
    assert_eq!(resolve(&out, "/link.toml"), Resolved::NotFound);
    assert_eq!(resolve(&out, "/up/secret.toml"), Resolved::NotFound);
    assert_eq!(resolve(&out, "/up/"), Resolved::NotFound);
}

#[test]
fn host_check() {
    let local = HostCheck {
        bind: "127.0.0.1".parse().unwrap(),
        port: 1111,
    };
    for ok in [
        "127.0.0.1:1111",
        "localhost:1111",
        "LOCALHOST.:1111",
        "[::1]:1111",
    ] {
        assert!(local.allows(Some(ok)), "{ok}");
    }
    for bad in [
        "evil.example:1111",
        "127.0.0.1:2222",
        "127.0.0.1",
        "localhost",
        "10.0.0.1:1111",
        "",
        "[::1",
        "a:b:c",
    ] {
        assert!(!local.allows(Some(bad)), "{bad}");
    }
    assert!(!local.allows(None));
    let all = HostCheck {
        bind: "0.0.0.0".parse().unwrap(),
        port: 8080,
    };
    assert!(all.allows(Some("192.168.1.5:8080")));
    assert!(!all.allows(Some("printer.lan:8080")));
}

#[test]
fn content_types() {
    assert_eq!(
        content_type(Path::new("a/index.html")),
        "text/html; charset=utf-8"
    );
    assert_eq!(
        content_type(Path::new("atom.xml")),
        "application/atom+xml; charset=utf-8"
    );
    assert_eq!(content_type(Path::new("x.PNG")), "image/png");
    assert_eq!(
        content_type(Path::new("data/svar/2024.csv.gz")),
        "application/gzip"
    );
    assert_eq!(
        content_type(Path::new("Makefile")),
        "application/octet-stream"
    );
}
