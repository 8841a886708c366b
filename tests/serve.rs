//! `aktsom serve` as a member uses it: the real binary on a temporary copy of a fixture
//! site, on a free port, spoken to over plain TCP. Edits to the site's files show up in
//! the served pages and each brings a reload event; a broken edit brings the error
//! overlay and the fix clears it; traversal attempts and foreign Host headers are
//! refused. Every wait is bounded, so a hung server fails the test instead of hanging.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

/// The longest any single wait may take (debug builds on a loaded CI machine).
const WAIT: Duration = Duration::from_secs(60);

/// A running `aktsom serve`, stopped when dropped.
struct Serve {
    child: Child,
    port: u16,
    lines: Receiver<String>,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
}

impl Serve {
    /// Starts `aktsom serve --root <root> --port 0 <extra>` and waits until its first
    /// build is over.
    fn start(root: &Path, extra: &[&str]) -> Serve {
        let mut s = Serve::serving(root, extra);
        s.wait_first_build();
        s
    }

    /// Starts `aktsom serve --root <root> --port 0 <extra>` and waits until it serves
    /// (its first build still running).
    fn serving(root: &Path, extra: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aktsom"))
            .args(["serve", "--root"])
            .arg(root)
            .args(if extra.contains(&"--port") {
                &[][..]
            } else {
                &["--port", "0"][..]
            })
            .args(extra)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("aktsom serve starts");
        let (tx, lines) = channel();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().expect("stdout is piped");
        let all = Arc::clone(&stdout);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                all.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let err = child.stderr.take().expect("stderr is piped");
        let all = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                let mut s = all.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let mut s = Serve {
            child,
            port: 0,
            lines,
            stdout,
            stderr,
        };
        let line = s.wait_line(|l| l.starts_with("Serving "));
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        s.port = port;
        s
    }

    /// Waits until the first build is over: it printed "Built in …", or its errors.
    fn wait_first_build(&mut self) {
        let deadline = Instant::now() + WAIT;
        loop {
            if self.stderr().contains("the preview could not be built") {
                return;
            }
            match self.lines.recv_timeout(Duration::from_millis(20)) {
                Ok(l) if l.starts_with("Built in ") => return,
                Ok(_) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the server exited ({:?}); stderr:\n{}",
                    self.child.try_wait(),
                    self.stderr()
                ),
            }
            assert!(
                Instant::now() < deadline,
                "no first build; stdout:\n{}\nstderr:\n{}",
                self.stdout.lock().unwrap().join("\n"),
                self.stderr()
            );
        }
    }

    /// Waits for a line of stdout that `pred` accepts.
    fn wait_line(&mut self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) if pred(&l) => return l,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!(
                    "timed out waiting for the server; stdout:\n{}\nstderr:\n{}",
                    self.stdout.lock().unwrap().join("\n"),
                    self.stderr()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the server exited ({:?}); stdout:\n{}\nstderr:\n{}",
                    self.child.try_wait(),
                    self.stdout.lock().unwrap().join("\n"),
                    self.stderr()
                ),
            }
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn get(&self, path: &str) -> Response {
        request(
            self.port,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                self.host()
            ),
        )
    }

    /// GET that must answer 200 with a page.
    fn page(&self, path: &str) -> String {
        let r = self.get(path);
        assert_eq!(r.status, 200, "GET {path}: {}", r.text());
        r.text()
    }

    fn events(&self) -> Events {
        Events::connect(self.port)
    }

    /// Asks the server to stop (SIGTERM) and waits for it to exit.
    fn stop(&mut self) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        if self.stop().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `raw` as it is (no normalisation of the path) and reads the whole answer.
fn request(port: u16, raw: &str) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).expect("the server answers in time");
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&buf)));
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = buf[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body).0;
    }
    Response {
        status,
        headers,
        body,
    }
}

/// Decodes complete chunks; returns the data and how many bytes were used.
fn dechunk(raw: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(eol) = raw[at..].windows(2).position(|w| w == b"\r\n") {
        let size_line = String::from_utf8_lossy(&raw[at..at + eol]).into_owned();
        let Ok(size) = usize::from_str_radix(size_line.trim(), 16) else {
            break;
        };
        let start = at + eol + 2;
        if size == 0 || raw.len() < start + size + 2 {
            break;
        }
        out.extend_from_slice(&raw[start..start + size]);
        at = start + size + 2;
    }
    (out, at)
}

/// One open event stream.
struct Events {
    stream: TcpStream,
    raw: Vec<u8>,
    text: String,
}

#[derive(Debug)]
struct Event {
    name: String,
    data: serde_json::Value,
}

impl Events {
    fn connect(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
        write!(
            stream,
            "GET /__aktsom/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut e = Events {
            stream,
            raw: Vec::new(),
            text: String::new(),
        };
        // The head.
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(end) = e.raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&e.raw[..end]).into_owned();
                assert!(head.starts_with("HTTP/1.1 200"), "{head}");
                assert!(
                    head.to_ascii_lowercase()
                        .contains("content-type: text/event-stream"),
                    "{head}"
                );
                assert!(
                    !head
                        .to_ascii_lowercase()
                        .contains("access-control-allow-origin"),
                    "{head}"
                );
                e.raw.drain(..end + 4);
                // The first events may have come in the same read as the head.
                let (data, used) = dechunk(&e.raw);
                e.raw.drain(..used);
                e.text.push_str(&String::from_utf8_lossy(&data));
                break;
            }
            e.fill(deadline);
        }
        e
    }

    fn fill(&mut self, deadline: Instant) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "timed out waiting for an event; got so far: {:?}",
            self.text
        );
        self.stream
            .set_read_timeout(Some(left.max(Duration::from_millis(10))))
            .unwrap();
        let mut buf = [0u8; 65536];
        match self.stream.read(&mut buf) {
            Ok(0) => panic!("the event stream closed; got so far: {:?}", self.text),
            Ok(n) => self.raw.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("reading the event stream: {e}"),
        }
        let (data, used) = dechunk(&self.raw);
        self.raw.drain(..used);
        self.text.push_str(&String::from_utf8_lossy(&data));
    }

    /// The next event (comments and `retry:` skipped).
    fn next(&mut self) -> Event {
        let deadline = Instant::now() + WAIT;
        loop {
            while let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut name = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(n) = line.strip_prefix("event: ") {
                        name = Some(n.to_string());
                    } else if let Some(d) = line.strip_prefix("data: ") {
                        data.push_str(d);
                    }
                }
                if let Some(name) = name {
                    let data = serde_json::from_str(&data)
                        .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {data}"));
                    return Event { name, data };
                }
            }
            self.fill(deadline);
        }
    }

    /// The next event that is not `ok` (a rebuild that changed nothing).
    fn next_news(&mut self) -> Event {
        loop {
            let e = self.next();
            if e.name != "ok" {
                return e;
            }
        }
    }
}

/// Writes a file the way many editors do: a new file, renamed over the old one.
fn save(path: &Path, text: &str) {
    let tmp = path.with_extension("md.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    save(path, &text.replacen(from, to, 1));
}

fn build_of(html: &str) -> String {
    html.split("data-build=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no data-build in the page"))
        .to_string()
}

fn site() -> tempfile::TempDir {
    copy_fixture("minimal")
}

fn report(site: &Path) -> PathBuf {
    site.join("content/members/alfa-kommune/2024.md")
}

#[test]
fn edits_to_reports_members_templates_and_site_toml_show_up_with_a_reload_each() {
    let site = site();
    let s = Serve::start(site.path(), &[]);
    let mut ev = s.events();
    let hello = ev.next();
    assert_eq!(hello.name, "hello");
    let first = build_of(&s.page("/medlemmer/alfa-kommune/2024/"));
    assert_eq!(hello.data["build"], first.as_str());
    assert!(hello.data["error"].is_null());

    // A report, saved by writing a temp file and renaming it.
    edit(
        &report(site.path()),
        "Forordet for 2024.",
        "Forordet er skrevet om i dag.",
    );
    let e = ev.next_news();
    assert_eq!(e.name, "reload", "{e:?}");
    let page = s.page("/medlemmer/alfa-kommune/2024/");
    assert!(page.contains("Forordet er skrevet om i dag."));
    assert_eq!(e.data["build"], build_of(&page).as_str());
    assert_ne!(e.data["build"], first.as_str());

    // A member file.
    let member = site.path().join("content/members/alfa-kommune/member.toml");
    std::fs::write(
        &member,
        read(&member).replace("\"Alfa kommune\"", "\"Alfa bykommune\""),
    )
    .unwrap();
    assert_eq!(ev.next_news().name, "reload");
    assert!(
        s.page("/medlemmer/alfa-kommune/")
            .contains("Alfa bykommune")
    );
    assert!(s.page("/medlemmer/").contains("Alfa bykommune"));

    // A template override, in a templates/ folder that did not exist when serve started.
    let theme_page = read(&repo_root().join("themes/default/templates/page.html"));
    let overridden =
        theme_page.replace("{{ body|safe }}", "<p>Overstyrt mal.</p>\n{{ body|safe }}");
    assert_ne!(overridden, theme_page);
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(site.path().join("templates/page.html"), &overridden).unwrap();
    assert_eq!(ev.next_news().name, "reload");
    assert!(s.page("/tilgjengelighet/").contains("Overstyrt mal."));
    // And a second edit to it, now that the folder is watched.
    std::fs::write(
        site.path().join("templates/page.html"),
        overridden.replace("Overstyrt mal.", "Overstyrt mal, andre gang."),
    )
    .unwrap();
    assert_eq!(ev.next_news().name, "reload");
    assert!(
        s.page("/tilgjengelighet/")
            .contains("Overstyrt mal, andre gang.")
    );

    // site.toml.
    let toml = site.path().join("site.toml");
    std::fs::write(
        &toml,
        read(&toml).replace("\"Testrapporter\"", "\"Testrapporter i forhåndsvisning\""),
    )
    .unwrap();
    assert_eq!(ev.next_news().name, "reload");
    assert!(s.page("/").contains("Testrapporter i forhåndsvisning"));

    // Drafts are in the preview, marked as drafts.
    assert!(
        s.page("/medlemmer/beta-tekstil/2025/")
            .contains("Utkast – ikke publisert")
    );
}

/// The text of a gzip-compressed file.
fn gunzip(bytes: &[u8]) -> String {
    try_gunzip(bytes).expect("a gzip file")
}

/// The text of a gzip-compressed file; an error for one that is not whole (read from
/// the preview's folder while the server is writing it).
fn try_gunzip(bytes: &[u8]) -> std::io::Result<String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text)?;
    Ok(text)
}

const ANSWERS_2024: &str = "data/svar/2024.csv.gz";

#[test]
fn a_report_edit_brings_the_answers_file_up_to_date_after_the_reload() {
    // The reload waits for the pages only; the year's answers file, which no page reads,
    // is written right after it, in the output folder.
    let site = site();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("preview");
    let s = Serve::start(site.path(), &["--out", out.to_str().unwrap()]);
    let mut ev = s.events();
    assert_eq!(ev.next().name, "hello");
    let text = "Retningslinjene ble revidert i mai.";
    edit(&report(site.path()), "Samme som i fjor.", text);
    assert_eq!(ev.next_news().name, "reload");
    assert!(s.page("/medlemmer/alfa-kommune/2024/").contains(text));
    let deadline = Instant::now() + WAIT;
    // Read from the folder, not through the server: the file may be caught half
    // written, which only means "not yet".
    let up_to_date = || {
        std::fs::read(out.join(ANSWERS_2024))
            .and_then(|b| try_gunzip(&b))
            .is_ok_and(|t| t.contains(text))
    };
    while !up_to_date() {
        assert!(
            Instant::now() < deadline,
            "the answers file was never brought up to date"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_answers_file_is_never_served_older_than_the_reload() {
    // A request for the answers file made as soon as the reload arrives waits for the
    // file to be brought up to date.
    let site = site();
    let s = Serve::start(site.path(), &[]);
    let mut ev = s.events();
    assert_eq!(ev.next().name, "hello");
    let path = report(site.path());
    for (i, (from, to)) in [
        ("Samme som i fjor.", "Retningslinjene ble revidert i mai."),
        ("revidert i mai", "revidert i juni"),
        ("revidert i juni", "revidert i juli"),
    ]
    .into_iter()
    .enumerate()
    {
        edit(&path, from, to);
        assert_eq!(ev.next_news().name, "reload", "edit {i}");
        let r = s.get(&format!("/{ANSWERS_2024}"));
        assert_eq!(r.status, 200);
        assert!(
            gunzip(&r.body).contains(to),
            "edit {i}: the answers file served after the reload is an old one"
        );
    }
}

#[test]
fn the_answers_file_made_after_the_reload_leaves_the_build_id_as_announced() {
    // The id the tabs hold covers what pages show: saving the same bytes again after
    // the answers file was brought up to date is no news to them.
    let site = site();
    let s = Serve::start(site.path(), &[]);
    let mut ev = s.events();
    assert_eq!(ev.next().name, "hello");
    let path = report(site.path());
    let text = "Retningslinjene ble revidert i mai.";
    edit(&path, "Samme som i fjor.", text);
    let reload = ev.next_news();
    assert_eq!(reload.name, "reload");
    let answers = s.get(&format!("/{ANSWERS_2024}"));
    assert!(gunzip(&answers.body).contains(text));
    save(&path, &read(&path));
    let again = ev.next();
    assert_eq!(again.name, "ok", "{again:?}");
    assert_eq!(again.data["build"], reload.data["build"]);
    assert_eq!(
        build_of(&s.page("/medlemmer/alfa-kommune/2024/")),
        reload.data["build"].as_str().unwrap()
    );
}

#[test]
fn the_servers_own_messages_are_the_sites_interface_strings() {
    // The server's answers, pages and overlay come from the theme's i18n tables in the
    // site's language, the site's own strings included.
    let site = site();
    std::fs::create_dir_all(site.path().join("i18n")).unwrap();
    std::fs::write(
        site.path().join("i18n/nb.toml"),
        "serve_foreign_host = \"Ukjent vertsnavn.\"\n",
    )
    .unwrap();
    let s = Serve::start(site.path(), &[]);
    let foreign = "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n";
    let r = request(s.port, foreign);
    assert_eq!(
        (r.status, r.text()),
        (403, "Ukjent vertsnavn.\n".to_string())
    );
    let r = request(
        s.port,
        &format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            s.host()
        ),
    );
    assert_eq!(
        (r.status, r.text()),
        (405, "Bare GET og HEAD er tillatt.\n".to_string())
    );

    // An English site.
    let mut ev = s.events();
    assert_eq!(ev.next().name, "hello");
    let toml = site.path().join("site.toml");
    std::fs::write(
        &toml,
        read(&toml).replace("language = \"nb\"", "language = \"en\""),
    )
    .unwrap();
    assert_eq!(ev.next_news().name, "reload");
    let r = request(s.port, foreign);
    assert_eq!(
        (r.status, r.text()),
        (
            403,
            "The preview answers only at the address it was started with (for example localhost).\n"
                .to_string()
        )
    );
    edit(&report(site.path()), "+++", "+++\npublised = 2025");
    let e = ev.next_news();
    assert_eq!(e.name, "build-error", "{e:?}");
    let overlay = e.data["error"].as_str().unwrap();
    assert!(
        overlay.contains("The preview could not be updated"),
        "{overlay}"
    );
    assert!(overlay.contains("Hide the error message"), "{overlay}");
    assert!(!overlay.contains("Forhåndsvisningen"), "{overlay}");
}

#[test]
fn a_broken_edit_shows_the_error_in_every_tab_and_the_fix_clears_it() {
    let site = site();
    let mut s = Serve::start(site.path(), &[]);
    let mut ev = s.events();
    assert_eq!(ev.next().name, "hello");
    let good = s.page("/medlemmer/alfa-kommune/2024/");
    assert!(!good.contains("id=\"aktsom-live\""));

    let path = report(site.path());
    let original = read(&path);
    edit(&path, "year = 2024", "yaer = 2024");
    let e = ev.next_news();
    assert_eq!(e.name, "build-error", "{e:?}");
    let overlay = e.data["error"]
        .as_str()
        .expect("the overlay markup")
        .to_string();
    assert_eq!(
        e.data["build"],
        build_of(&good).as_str(),
        "the last good build"
    );
    for want in [
        "role=\"alert\"",
        "<code>content/members/alfa-kommune/2024.md</code>, linje 2, kolonne 1",
        "unknown key `yaer`",
        "yaer = 2024",
        "did you mean `year`?",
    ] {
        assert!(overlay.contains(want), "{want:?} not in {overlay}");
    }

    // The last good pages are still served, now with the overlay in them.
    let page = s.page("/medlemmer/alfa-kommune/2024/");
    assert!(page.contains("Forordet for 2024."));
    assert!(page.contains("id=\"aktsom-live\""));
    assert!(
        page.contains(&overlay),
        "the overlay is the same in the page"
    );
    assert!(s.page("/").contains("role=\"alert\""));
    // A tab opened now hears about the error first thing.
    let mut late = s.events();
    let hello = late.next();
    assert_eq!(hello.name, "hello");
    assert_eq!(hello.data["error"], overlay.as_str());

    // The terminal says the same, like `aktsom build` does.
    let deadline = Instant::now() + WAIT;
    while !s.stderr().contains("still serving the last good build") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let err = s.stderr();
    assert!(err.contains("error: unknown key `yaer`"), "{err}");
    assert!(
        err.contains("--> content/members/alfa-kommune/2024.md:2:1"),
        "{err}"
    );

    // The fix.
    save(
        &path,
        &original.replace("Forordet for 2024.", "Forordet, rettet."),
    );
    let e = ev.next_news();
    assert_eq!(e.name, "reload", "{e:?}");
    assert!(e.data["error"].is_null());
    let page = s.page("/medlemmer/alfa-kommune/2024/");
    assert!(page.contains("Forordet, rettet."));
    assert!(!page.contains("id=\"aktsom-live\""));
    assert!(!page.contains("role=\"alert\""));
    assert_eq!(late.next_news().name, "reload");
    s.stop();
}

#[test]
fn a_site_that_does_not_build_at_first_is_served_once_fixed() {
    let site = site();
    let path = report(site.path());
    let original = read(&path);
    edit(&path, "year = 2024", "year = \"tjuefireogtjue\"");
    let s = Serve::start(site.path(), &[]);
    let mut ev = s.events();
    let hello = ev.next();
    assert_eq!(hello.data["build"], "");
    assert!(hello.data["error"].as_str().is_some());
    let r = s.get("/");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("role=\"alert\""));
    assert!(r.text().contains("2024.md"));
    save(&path, &original);
    assert_eq!(ev.next_news().name, "reload");
    assert!(
        s.page("/medlemmer/alfa-kommune/2024/")
            .contains("Forordet for 2024.")
    );
}

#[test]
fn editor_temp_files_and_hidden_files_do_not_rebuild() {
    let site = site();
    let s = Serve::start(site.path(), &[]);
    let mut ev = s.events();
    assert_eq!(ev.next().name, "hello");
    let dir = site.path().join("content/members/alfa-kommune");
    for name in [
        ".2024.md.swp",
        "2024.md~",
        "#2024.md#",
        ".#2024.md",
        "4913",
        "x.tmp",
    ] {
        std::fs::write(dir.join(name), "junk").unwrap();
    }
    std::fs::remove_file(dir.join("4913")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    edit(
        &report(site.path()),
        "Forordet for 2024.",
        "Forordet, etter søppelfilene.",
    );
    // Had the temp files been seen, an `ok` (nothing changed) would come first.
    let e = ev.next();
    assert_eq!(e.name, "reload", "{e:?}");
    assert!(
        s.page("/medlemmer/alfa-kommune/2024/")
            .contains("etter søppelfilene")
    );
}

#[test]
fn refuses_traversal_symlinks_and_foreign_hosts() {
    let site = site();
    let out = site.path().join("forhandsvisning");
    let s = Serve::start(site.path(), &["--out", out.to_str().unwrap()]);
    let port = s.port;
    let secret = "base_url";
    assert!(read(&site.path().join("site.toml")).contains(secret));
    // The output folder sits in the site, so `..` from it would reach site.toml.
    for path in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E/site.toml",
        "/..%2fsite.toml",
        "/..%2Fsite.toml",
        "/..%5csite.toml",
        "/..\\site.toml",
        "/%00",
        "/index.html%00",
        "/index.html%00.css",
        "//site.toml",
        "/./../site.toml",
        "/medlemmer/../../site.toml",
    ] {
        let r = s.get(path);
        assert!(
            r.status == 400 || r.status == 404,
            "{path}: {} {}",
            r.status,
            r.text()
        );
        assert!(!r.text().contains(secret), "{path} leaked site.toml");
    }
    // A symlink in the output pointing outside it.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(site.path().join("site.toml"), out.join("lenke.toml")).unwrap();
        std::os::unix::fs::symlink(site.path(), out.join("opp")).unwrap();
        for path in ["/lenke.toml", "/opp/site.toml", "/opp/"] {
            let r = s.get(path);
            assert_eq!(r.status, 404, "{path}");
            assert!(!r.text().contains(secret), "{path} leaked site.toml");
        }
    }
    // DNS rebinding: only the bound address or localhost, with the port.
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("localhost:{}", port.wrapping_add(1)),
        "evil.example".to_string(),
    ] {
        let r = request(
            port,
            &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        );
        assert!(r.status == 403 || r.status == 421, "{host}: {}", r.status);
        assert!(!r.text().contains("<html"), "{host} got a page");
        let r = request(
            port,
            &format!("GET /__aktsom/events HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        );
        assert!(r.status == 403 || r.status == 421, "events for {host}");
    }
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let r = request(
            port,
            &format!(
                "GET / HTTP/1.1\r\nHost: {host}\r\nOrigin: https://evil.example\r\nConnection: close\r\n\r\n"
            ),
        );
        assert_eq!(r.status, 200, "{host}");
        assert!(r.header("Access-Control-Allow-Origin").is_none());
    }
}

#[test]
fn head_content_types_folders_and_not_found() {
    let site = site();
    // Images in the site's static/ override folder are copied to the output root.
    std::fs::create_dir_all(site.path().join("static")).unwrap();
    for name in ["bilde.png", "bilde.jpg", "bilde.webp", "bilde.gif"] {
        std::fs::write(
            site.path().join("static").join(name),
            b"not really an image",
        )
        .unwrap();
    }
    let s = Serve::start(site.path(), &[]);
    for (path, ct) in [
        ("/", "text/html; charset=utf-8"),
        ("/style.css", "text/css"),
        ("/compare.js", "text/javascript"),
        ("/__aktsom/live.js", "text/javascript"),
        ("/data/rapporter.json", "application/json"),
        ("/data/nokkeltall.csv", "text/csv"),
        ("/sitemap.xml", "application/xml"),
        ("/atom.xml", "application/atom+xml"),
        ("/favicon.svg", "image/svg+xml"),
        ("/robots.txt", "text/plain"),
        ("/bilde.png", "image/png"),
        ("/bilde.jpg", "image/jpeg"),
        ("/bilde.webp", "image/webp"),
        ("/bilde.gif", "image/gif"),
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        let got = r.header("Content-Type").unwrap_or("");
        assert!(got.starts_with(ct), "{path}: {got}");
        assert_eq!(r.header("X-Content-Type-Options"), Some("nosniff"));
        assert!(r.header("Access-Control-Allow-Origin").is_none());
    }
    // Only HTML gets the reload script; CSS, feeds and data stay as built.
    assert!(!s.get("/style.css").text().contains("__aktsom"));
    assert!(!s.get("/atom.xml").text().contains("__aktsom"));

    // HEAD: the same headers as GET, no body.
    let get = s.get("/medlemmer/");
    let head = request(
        s.port,
        &format!(
            "HEAD /medlemmer/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            s.host()
        ),
    );
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("Content-Type"), get.header("Content-Type"));
    assert_eq!(
        head.header("Content-Length").and_then(|l| l.parse().ok()),
        Some(get.body.len())
    );

    // A folder without its slash is redirected; a missing page is the site's 404.html.
    let r = s.get("/medlemmer/alfa-kommune");
    assert_eq!(r.status, 301);
    assert_eq!(r.header("Location"), Some("/medlemmer/alfa-kommune/"));
    let r = s.get("/medlemmer/finnes-ikke/");
    assert_eq!(r.status, 404);
    let not_found = r.text();
    let built_404 = read(&repo_root().join("themes/default/templates/404.html"));
    assert!(built_404.contains("not_found_title"));
    assert!(not_found.contains("<h1>"), "{not_found}");
    assert!(not_found.contains("/__aktsom/live.js"));
    assert_eq!(s.get("/__aktsom/nope").status, 404);

    // Other methods are refused.
    let r = request(
        s.port,
        &format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            s.host()
        ),
    );
    assert_eq!(r.status, 405);
}

#[test]
fn a_slow_client_does_not_block_the_others() {
    let site = site();
    let s = Serve::start(site.path(), &[]);
    // Half a request, never finished, and an event stream nobody reads.
    let mut stalled = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    stalled.write_all(b"GET / HTTP/1.1\r\nHost: ").unwrap();
    let mut quiet = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    write!(
        quiet,
        "GET /__aktsom/events HTTP/1.1\r\nHost: {}\r\n\r\n",
        s.host()
    )
    .unwrap();
    for _ in 0..5 {
        assert_eq!(s.get("/").status, 200);
    }
    drop(stalled);
    drop(quiet);
}

#[test]
fn request_heads_over_the_limits_and_ambiguous_headers_are_refused() {
    let site = site();
    let s = Serve::start(site.path(), &[]);
    let host = s.host();
    let get = |headers: &str| {
        format!("GET / HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n")
    };
    let cases: Vec<(String, String, u16)> = vec![
        (
            "a request line over 16 KB".into(),
            format!(
                "GET /{} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
                "a".repeat(17 * 1024)
            ),
            414,
        ),
        (
            "a header line over 16 KB".into(),
            get(&format!("X-Lang: {}\r\n", "a".repeat(17 * 1024))),
            431,
        ),
        (
            "101 headers (with Host and Connection)".into(),
            get(&(0..99).map(|i| format!("X-{i}: 1\r\n")).collect::<String>()),
            431,
        ),
        (
            "a head over 64 KB in lines under 16 KB".into(),
            get(&(0..8)
                .map(|i| format!("X-{i}: {}\r\n", "a".repeat(10 * 1024)))
                .collect::<String>()),
            431,
        ),
        (
            "two Host headers, the bound one first".into(),
            get("Host: evil.example\r\n"),
            400,
        ),
        (
            "two Host headers, the same".into(),
            get(&format!("Host: {host}\r\n")),
            400,
        ),
        (
            "two different Content-Length headers".into(),
            get("Content-Length: 0\r\nContent-Length: 5\r\n"),
            400,
        ),
        (
            "Content-Length with Transfer-Encoding".into(),
            get("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n"),
            400,
        ),
        // A body is not read, but the answer still arrives.
        (
            "a POST with a body of 200 KB".into(),
            format!(
                "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\n\r\n{}",
                200 * 1024,
                "a".repeat(200 * 1024)
            ),
            405,
        ),
        // At the limits, and a repeated Content-Length with the same value: served.
        (
            "100 headers".into(),
            get(&(0..98).map(|i| format!("X-{i}: 1\r\n")).collect::<String>()),
            200,
        ),
        (
            "a header line of 16 KB".into(),
            get(&format!("X-Lang: {}\r\n", "a".repeat(16 * 1024 - 8))),
            200,
        ),
        (
            "the same Content-Length twice".into(),
            get("Content-Length: 0\r\nContent-Length: 0\r\n"),
            200,
        ),
    ];
    for (what, raw, status) in cases {
        let r = request(s.port, &raw);
        assert_eq!(r.status, status, "{what}: {}", r.text());
        if status != 200 {
            assert!(!r.text().contains("<html"), "{what} got a page");
        }
    }
    // The server goes on serving.
    assert_eq!(s.get("/").status, 200);
}

#[test]
fn an_endless_header_is_cut_off_after_a_bounded_number_of_bytes() {
    let site = site();
    let s = Serve::start(site.path(), &[]);
    let rss = || -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", s.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    let before = rss();
    // Eight connections, each offering one header that never ends. The server must stop
    // taking it after a bounded amount (the head limit, what it drops while closing, and
    // what the two sockets' buffers can hold), and close the connection, so the client's
    // writes fail long before all is sent. What is offered is at least 64 MB and twice
    // that bound.
    let buffers = tcp_buffer_max("tcp_rmem") + tcp_buffer_max("tcp_wmem") + (1 << 20);
    let offered = (64 << 20).max(2 * buffers);
    let port = s.port;
    let host = s.host();
    let senders: Vec<_> = (0..8)
        .map(|_| {
            let host = host.clone();
            std::thread::spawn(move || {
                let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
                c.set_write_timeout(Some(WAIT)).unwrap();
                write!(c, "GET / HTTP/1.1\r\nHost: {host}\r\nX-Endless: ").unwrap();
                let chunk = vec![b'a'; 64 * 1024];
                let mut accepted = 0;
                while accepted < offered {
                    match c.write(&chunk) {
                        Ok(n) => accepted += n,
                        Err(e) => {
                            assert!(
                                matches!(
                                    e.kind(),
                                    std::io::ErrorKind::BrokenPipe
                                        | std::io::ErrorKind::ConnectionReset
                                        | std::io::ErrorKind::ConnectionAborted
                                ),
                                "the server stopped reading without closing: {e}"
                            );
                            break;
                        }
                    }
                }
                accepted
            })
        })
        .collect();
    for t in senders {
        let accepted = t.join().unwrap();
        assert!(
            accepted <= buffers,
            "the server took {accepted} bytes of one header"
        );
    }
    assert_eq!(s.get("/").status, 200);
    if let (Some(before), Some(after)) = (before, rss()) {
        assert!(
            after < before + 32 * 1024,
            "the server grew from {before} kB to {after} kB"
        );
    }
}

/// The most a socket buffer of this machine may grow to (`tcp_rmem` or `tcp_wmem`); a
/// generous 16 MB where that cannot be read.
fn tcp_buffer_max(name: &str) -> usize {
    std::fs::read_to_string(format!("/proc/sys/net/ipv4/{name}"))
        .ok()
        .and_then(|s| s.split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(16 << 20)
}

#[test]
fn a_tab_reconnecting_after_a_restart_learns_whether_the_build_changed() {
    let site = site();
    let mut first = Serve::start(site.path(), &[]);
    let built = build_of(&first.page("/medlemmer/alfa-kommune/2024/"));
    first.stop().expect("serve stops on SIGTERM");

    // The same site again, on the same port (an open tab reconnects to the address it
    // came from): the same build id, so the tab need not reload.
    let port = first.port.to_string();
    let mut again = Serve::start(site.path(), &["--port", &port]);
    let hello = again.events().next();
    assert_eq!(hello.name, "hello");
    assert_eq!(hello.data["build"], built.as_str());
    again.stop();

    // Edited while the server was down: another build id, so the tab reloads.
    edit(
        &report(site.path()),
        "Forordet for 2024.",
        "Skrevet mens serveren var nede.",
    );
    let changed = Serve::start(site.path(), &["--port", &port]);
    let hello = changed.events().next();
    assert_ne!(hello.data["build"], built.as_str());
}

#[test]
fn removes_its_temporary_folder_on_exit() {
    let site = site();
    let mut s = Serve::start(site.path(), &[]);
    let line = s
        .stdout
        .lock()
        .unwrap()
        .iter()
        .find(|l| l.starts_with("Preview files in "))
        .cloned()
        .expect("the preview folder is printed");
    let dir = PathBuf::from(
        line.trim_start_matches("Preview files in ")
            .split(" (removed on exit)")
            .next()
            .unwrap(),
    );
    assert!(dir.join("index.html").is_file(), "{}", dir.display());
    assert!(!dir.starts_with(site.path()));
    let status = s.stop().expect("serve stops on SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(!dir.exists(), "{} is left behind", dir.display());
}

#[test]
fn member_previews_only_that_member() {
    let site = site();
    let s = Serve::start(site.path(), &["--member", "beta-tekstil"]);
    assert!(
        s.page("/medlemmer/beta-tekstil/2025/")
            .contains("Utkast – ikke publisert")
    );
    assert_eq!(s.get("/medlemmer/alfa-kommune/2024/").status, 404);
}

#[test]
fn never_previews_into_the_published_folder() {
    let site = site();
    let public = site.path().join("public");
    let o = aktsom(&[
        "serve",
        "--root",
        site.path().to_str().unwrap(),
        "--out",
        public.to_str().unwrap(),
        "--port",
        "0",
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("published"), "{}", stderr(&o));
    // Nor into a folder with other things in it.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("viktig.txt"), "x").unwrap();
    let o = aktsom(&[
        "serve",
        "--root",
        site.path().to_str().unwrap(),
        "--out",
        other.path().to_str().unwrap(),
        "--port",
        "0",
    ]);
    assert!(!o.status.success());
    assert!(other.path().join("viktig.txt").is_file());
}

/// The report's text with a new foreword, cut into pieces at points where the file on
/// its own would not build (inside the front matter) or would build with half the text.
fn pieces(site: &Path, foreword: &str) -> (String, Vec<String>) {
    let text = read(&report(site));
    let start = text.find("Forordet").expect("a foreword");
    let end = start + text[start..].find('\n').expect("a line end");
    let text = format!("{}{foreword}{}", &text[..start], &text[end..]);
    let cuts = [0, 12, text.len() / 2, text.len()];
    let parts = cuts
        .windows(2)
        .map(|w| text[w[0]..w[1]].to_string())
        .collect();
    (text, parts)
}

/// Truncates the file and writes it in several writes, one file handle throughout.
fn write_in_pieces(path: &Path, parts: &[String]) {
    let mut f = std::fs::File::create(path).unwrap();
    for p in parts {
        f.write_all(p.as_bytes()).unwrap();
        f.sync_data().unwrap();
    }
}

#[test]
fn a_burst_of_writes_in_each_editors_style_is_one_reload_of_the_final_text() {
    let site = site();
    let path = report(site.path());
    let dir = path.parent().unwrap().to_path_buf();
    let s = Serve::start(site.path(), &[]);
    let mut ev = s.events();
    assert_eq!(ev.next().name, "hello");
    let mut last = build_of(&s.page("/medlemmer/alfa-kommune/2024/"));

    type Style = fn(&Path, &Path, &str, &[String]);
    let styles: [(&str, Style); 5] = [
        // Truncate and write in several writes (many editors, `>` in a shell script).
        ("several writes", |_, path, _, parts| {
            write_in_pieces(path, parts)
        }),
        // A temporary file written in pieces, then renamed over the file.
        ("temp file and rename", |dir, path, _, parts| {
            let tmp = dir.join(".2024.md.tmp.4711");
            write_in_pieces(&tmp, parts);
            std::fs::rename(&tmp, path).unwrap();
        }),
        // vim: its write test file, the old file moved aside as a backup, a new file
        // written, the backup removed; a swap file beside it all along.
        ("vim", |dir, path, _, parts| {
            std::fs::write(dir.join(".2024.md.swp"), "swap").unwrap();
            std::fs::write(dir.join("4913"), "").unwrap();
            std::fs::remove_file(dir.join("4913")).unwrap();
            std::fs::rename(path, dir.join("2024.md~")).unwrap();
            write_in_pieces(path, parts);
            std::fs::remove_file(dir.join("2024.md~")).unwrap();
            std::fs::remove_file(dir.join(".2024.md.swp")).unwrap();
        }),
        // Emacs: a lock file, a backup copy, the file written in place, the lock gone.
        ("emacs", |dir, path, _, parts| {
            let lock = dir.join(".#2024.md");
            #[cfg(unix)]
            std::os::unix::fs::symlink("kari@maskin.4711:1700000000", &lock).unwrap();
            #[cfg(not(unix))]
            std::fs::write(&lock, "kari@maskin.4711").unwrap();
            std::fs::copy(path, dir.join("2024.md~")).unwrap();
            write_in_pieces(path, parts);
            std::fs::remove_file(&lock).unwrap();
        }),
        // A save of the same bytes again: nothing to reload (checked by the next style,
        // whose reload must come first).
        ("unchanged", |_, path, text, _| {
            std::fs::write(path, text).unwrap()
        }),
    ];
    let mut previous = String::new();
    for (i, (style, write)) in styles.iter().enumerate() {
        let foreword = if *style == "unchanged" {
            previous.clone()
        } else {
            format!("Forordet, lagret i stilen «{style}» ({i}).")
        };
        let (text, parts) = pieces(site.path(), &foreword);
        write(&dir, &path, &text, &parts);
        if *style == "unchanged" {
            continue;
        }
        // The first news after the burst is one reload, to a build that has the final
        // text: never an error from a half-written file, never a build from the middle
        // of the burst (whose reload would come first, with another build).
        let e = ev.next_news();
        assert_eq!(e.name, "reload", "{style}: {e:?}");
        assert!(e.data["error"].is_null(), "{style}: {e:?}");
        let page = s.page("/medlemmer/alfa-kommune/2024/");
        assert!(
            page.contains(&foreword),
            "{style}: the final text is not served"
        );
        assert_eq!(e.data["build"], build_of(&page).as_str(), "{style}");
        assert_ne!(e.data["build"], last.as_str(), "{style}");
        last = build_of(&page);
        previous = foreword;
    }
    // The last burst's reload was its only one: the next news is the next edit's.
    edit(&path, &previous, "Forordet til slutt.");
    let e = ev.next_news();
    assert_eq!(e.name, "reload", "{e:?}");
    let page = s.page("/medlemmer/alfa-kommune/2024/");
    assert!(page.contains("Forordet til slutt."));
    assert_eq!(e.data["build"], build_of(&page).as_str());
}

/// The first news must be one reload to a build with `text` in the report page.
fn assert_one_reload_to(s: &Serve, ev: &mut Events, text: &str) {
    let e = ev.next_news();
    assert_eq!(e.name, "reload", "{e:?}");
    let page = s.page("/medlemmer/alfa-kommune/2024/");
    assert!(page.contains(text), "the final text is not served");
    assert_eq!(e.data["build"], build_of(&page).as_str());
}

// Linux reports when a writer closes a file; elsewhere a pause in the writes ends a
// save.
#[cfg(target_os = "linux")]
#[test]
fn a_file_is_built_once_its_writer_closes_it_however_long_the_pauses() {
    // The writer pauses longer than a failed build takes to be shown: had the
    // truncated file been built, its error would come first.
    let site = site();
    let path = report(site.path());
    let s = Serve::start(site.path(), &[]);
    let mut ev = s.events();
    assert_eq!(ev.next().name, "hello");
    let (_, parts) = pieces(site.path(), "Forordet, skrevet med pauser.");
    let mut f = std::fs::File::create(&path).unwrap();
    for p in &parts {
        f.write_all(p.as_bytes()).unwrap();
        std::thread::sleep(aktsom::serve::ERROR_GRACE + Duration::from_millis(200));
    }
    drop(f);
    assert_one_reload_to(&s, &mut ev, "Forordet, skrevet med pauser.");
    // And nothing more: the next news is the next edit's.
    edit(&path, "skrevet med pauser", "skrevet på nytt");
    assert_one_reload_to(&s, &mut ev, "Forordet, skrevet på nytt.");
}

#[test]
fn an_error_that_the_next_write_fixes_is_not_shown() {
    // A save in two steps, each its own open and close: the file is empty in between,
    // which does not build; the second step follows before the error would be shown.
    let site = site();
    let path = report(site.path());
    let s = Serve::start(site.path(), &[]);
    let mut ev = s.events();
    assert_eq!(ev.next().name, "hello");
    let (text, _) = pieces(site.path(), "Forordet, lagret i to steg.");
    std::fs::File::create(&path).unwrap();
    // Long enough for the empty file to be built and fail, well within ERROR_GRACE.
    std::thread::sleep(aktsom::serve::ERROR_GRACE / 6);
    std::fs::write(&path, &text).unwrap();
    assert_one_reload_to(&s, &mut ev, "Forordet, lagret i to steg.");
    edit(&path, "lagret i to steg", "lagret igjen");
    assert_one_reload_to(&s, &mut ev, "Forordet, lagret igjen.");
}

#[test]
fn a_file_moved_aside_is_waited_for_until_its_new_version_is_written() {
    // vim and Emacs move the old file aside as a backup, then write the new one: in
    // between the report is missing, and a build then would drop its pages.
    let site = site();
    let path = report(site.path());
    let backup = path.with_file_name("2024.md~");
    let s = Serve::start(site.path(), &[]);
    let mut ev = s.events();
    assert_eq!(ev.next().name, "hello");
    let (text, _) = pieces(site.path(), "Forordet, skrevet etter en pause.");
    std::fs::rename(&path, &backup).unwrap();
    // Longer than a build and serve::ERROR_GRACE take, well within watch::GONE_GRACE.
    std::thread::sleep(aktsom::serve::watch::GONE_GRACE / 2);
    std::fs::write(&path, &text).unwrap();
    std::fs::remove_file(&backup).unwrap();
    assert_one_reload_to(&s, &mut ev, "Forordet, skrevet etter en pause.");
    edit(&path, "skrevet etter en pause", "skrevet igjen");
    assert_one_reload_to(&s, &mut ev, "Forordet, skrevet igjen.");
}

#[test]
fn while_the_first_build_runs_a_page_is_either_finished_or_being_built() {
    // Pages are served as the first build makes them: every answer meanwhile is the
    // finished page (never half of one) or the "being built" page, which reloads itself;
    // afterwards every page is there.
    let site = tempfile::tempdir().unwrap();
    for dir in ["content", "report-templates"] {
        copy_dir(&repo_root().join(dir), &site.path().join(dir));
    }
    std::fs::copy(repo_root().join("site.toml"), site.path().join("site.toml")).unwrap();
    let paths = [
        "/",
        "/medlemmer/fjordvik-kommune/2024/",
        "/medlemmer/fjordvik-kommune/sammenlign/2023-2024/",
        "/sporsmal/1-a-1/2024/",
        "/sok/",
        "/medlemmer/fjordvik-kommune/2024/rapport.json",
    ];
    let without_build = |body: &str| {
        let id = body
            .split("data-build=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("");
        body.replacen(&format!("data-build=\"{id}\""), "data-build", 1)
    };
    let mut s = Serve::serving(site.path(), &[]);
    let mut seen: Vec<(&str, String)> = Vec::new();
    let mut built = false;
    while !built {
        built = s
            .stdout
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("Built in "));
        for p in paths {
            let r = s.get(p);
            match r.status {
                200 => seen.push((p, without_build(&r.text()))),
                503 => {
                    let t = r.text();
                    assert!(t.contains("data-aktsom-building"), "{p}: {t}");
                    assert!(t.contains("/__aktsom/live.js"), "{p}: {t}");
                    assert_eq!(r.header("Retry-After"), Some("1"));
                }
                other => panic!("{p} answered {other} while the first build ran"),
            }
        }
    }
    s.wait_first_build();
    // It said where it serves before the first build was over.
    let lines = s.stdout.lock().unwrap().clone();
    let at = |start: &str| lines.iter().position(|l| l.starts_with(start));
    assert!(at("Serving ") < at("Built in "), "{lines:?}");
    for (p, body) in &seen {
        let r = s.get(p);
        assert_eq!(r.status, 200, "{p}");
        assert!(
            without_build(&r.text()) == *body,
            "{p} served during the build differs from the page built"
        );
    }
    for p in paths {
        assert_eq!(s.get(p).status, 200, "{p}");
    }
    assert_eq!(s.get("/finnes-ikke/").status, 404);
}
