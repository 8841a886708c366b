//! The HTTP side of `serve`: one thread per connection (so a slow or stalled client
//! holds up no one else), request heads read within limits (module `request`), files
//! from the output folder only, the Host header checked against DNS rebinding, HTML
//! pages with the reload script.

pub mod request;

use std::io::{Read, Write};
use std::net::{IpAddr, Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::Duration;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use super::events::{self, Hub, Status};
use super::page;
pub use request::{HEAD_TIMEOUT, MAX_HEAD, MAX_HEADERS, MAX_LINE};
use request::{Head, Next, Reader};

/// Requests handled at once (streams included); past that, 503.
const MAX_ACTIVE: usize = 256;
/// Connections open at once; past that, 503 and closed. Each holds a thread and at most
/// [`MAX_HEAD`] bytes of unread request, so this bounds what clients can make the
/// preview hold.
const MAX_CONNECTIONS: usize = 512;
/// How long writing one response may block on a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// After the last answer on a connection, how much more the client sends is read (and
/// dropped) before the connection is closed, so that it gets the answer rather than a
/// reset; and for how long.
const LINGER_BYTES: usize = 256 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(1);

/// What every request thread shares. Passed explicitly; nothing global.
pub struct Shared {
    /// The output folder, canonical.
    pub out: PathBuf,
    /// The preview's status. Rebuilds hold it for writing while they change files, so
    /// a request never reads a half-written build.
    pub gate: RwLock<Status>,
    pub hub: Hub,
    pub hosts: HostCheck,
    pub heartbeat: Duration,
    active: AtomicUsize,
    connections: AtomicUsize,
}

impl Shared {
    pub fn new(out: PathBuf, hosts: HostCheck, heartbeat: Duration) -> Shared {
        Shared {
            out,
            gate: RwLock::new(Status::default()),
            hub: Hub::default(),
            hosts,
            heartbeat,
            active: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
        }
    }

    fn status(&self) -> RwLockReadGuard<'_, Status> {
        self.gate.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// Accepts connections until the process ends, each on its own thread.
pub fn serve_forever(listener: TcpListener, shared: Arc<Shared>) {
    for conn in listener.incoming() {
        let Ok(stream) = conn else {
            // Out of file descriptors, say: wait a little rather than spin.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if shared.connections.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            // Never block the accepting thread on this client.
            let _ = stream.set_nonblocking(true);
            let _ = write_reply(&stream, &text(503, BUSY), false, true);
            continue;
        }
        let open = Counted::new(Arc::clone(&shared), |s| &s.connections);
        let _ = std::thread::Builder::new()
            .name("aktsom-http".into())
            .spawn(move || {
                let open = open;
                connection(stream, &open.0);
            });
    }
}

const BUSY: &str = "For mange samtidige forespørsler.";

/// Counts a request or a connection until dropped, even if its thread panics or never
/// starts.
struct Counted(Arc<Shared>, fn(&Shared) -> &AtomicUsize);

impl Counted {
    fn new(shared: Arc<Shared>, counter: fn(&Shared) -> &AtomicUsize) -> Counted {
        counter(&shared).fetch_add(1, Ordering::SeqCst);
        Counted(shared, counter)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        (self.1)(&self.0).fetch_sub(1, Ordering::SeqCst);
    }
}

/// Which Host headers are let through: `localhost`, loopback addresses, and the bound
/// address, each with the bound port. When bound to all interfaces, any IP address with
/// the port (an IP literal cannot be rebound by DNS); never another host name.
#[derive(Debug, Clone)]
pub struct HostCheck {
    pub bind: IpAddr,
    pub port: u16,
}

impl HostCheck {
    pub fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host.map(str::trim) else {
            return false;
        };
        let (name, port) = match split_host(host) {
            Some(x) => x,
            None => return false,
        };
        let port_ok = match port {
            Some(p) => p == self.port,
            None => self.port == 80,
        };
        if !port_ok {
            return false;
        }
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if name == "localhost" {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.bind || self.bind.is_unspecified(),
            Err(_) => false,
        }
    }
}

/// `name:port`, `[v6]:port`, `name` → (name, port).
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = host.strip_prefix('[') {
        let (addr, after) = rest.split_once(']')?;
        return match after {
            "" => Some((addr, None)),
            p => Some((addr, Some(p.strip_prefix(':')?.parse().ok()?))),
        };
    }
    match host.rsplit_once(':') {
        Some((name, p)) if !name.contains(':') => Some((name, Some(p.parse().ok()?))),
        Some(_) => None,
        None => Some((host, None)),
    }
}

/// Answers the requests of one connection, one after the other, until it closes.
fn connection(mut stream: TcpStream, shared: &Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut reader = Reader::new();
    loop {
        let req = match reader.next(&mut stream) {
            Next::Request(req) => req,
            Next::Refuse(status, why) => return refuse(stream, status, why),
            Next::Closed => return,
        };
        if shared.active.load(Ordering::SeqCst) >= MAX_ACTIVE {
            return refuse(stream, 503, BUSY);
        }
        let _active = Counted::new(Arc::clone(shared), |s| &s.active);
        let head_only = req.method == "HEAD";
        match answer(&req, shared) {
            Answer::Reply(reply) => {
                if write_reply(&stream, &reply, head_only, req.close).is_err() {
                    return;
                }
                if req.close {
                    return linger(stream);
                }
            }
            Answer::Events => {
                // Subscribe while holding the status, so no event falls between the two.
                let (hello, rx) = {
                    let st = shared.status();
                    (st.frame("hello"), shared.hub.subscribe())
                };
                let w = Box::new(stream);
                return events::stream(w, req.http11, hello, rx, shared.heartbeat);
            }
        }
    }
}

/// Answers a request that broke a rule, then closes the connection.
fn refuse(stream: TcpStream, status: u16, why: &str) {
    if write_reply(&stream, &text(status, why), false, true).is_err() {
        return;
    }
    linger(stream);
}

/// Closes a connection after its last answer: the write side first, so the answer
/// arrives, then the rest after reading (and dropping) a bounded amount of what the
/// client still sends (a request body, the rest of a refused head). Closing with unread
/// bytes would reset the connection, and the client could lose the answer.
fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(LINGER_TIME));
    let mut sink = [0u8; 8 * 1024];
    let mut left = LINGER_BYTES;
    while left > 0 {
        let n = left.min(sink.len());
        match stream.read(&mut sink[..n]) {
            Ok(0) | Err(_) => break,
            Ok(n) => left -= n,
        }
    }
}

/// What a request gets.
enum Answer {
    Reply(Reply),
    /// The live-reload event stream, which takes over the connection.
    Events,
}

fn answer(req: &Head, shared: &Shared) -> Answer {
    if !shared.hosts.allows(req.host.as_deref()) {
        return Answer::Reply(text(
            403,
            "Forhåndsvisningen svarer bare på adressen den ble startet med (for eksempel localhost).",
        ));
    }
    let head = match req.method.as_str() {
        "GET" => false,
        "HEAD" => true,
        _ => {
            let r = text(405, "Bare GET og HEAD er tillatt.");
            return Answer::Reply(r.with("Allow", "GET, HEAD"));
        }
    };
    let (path, query) = split_url(&req.target);
    Answer::Reply(match path {
        page::EVENTS if !head => return Answer::Events,
        page::EVENTS => content(Vec::new(), "text/event-stream; charset=utf-8"),
        page::SCRIPT => content(
            page::SCRIPT_SOURCE.as_bytes().to_vec(),
            "text/javascript; charset=utf-8",
        ),
        page::STYLE => content(
            page::STYLE_SOURCE.as_bytes().to_vec(),
            "text/css; charset=utf-8",
        ),
        p if p.starts_with(page::PREFIX) => not_found(shared),
        p => serve_file(shared, p, query),
    })
}

fn serve_file(shared: &Shared, path: &str, query: Option<&str>) -> Reply {
    let response = {
        // Resolve and read under the status lock: never a file from a half-written build.
        let st = shared.status();
        match resolve(&shared.out, path) {
            Resolved::Bad => Some(text(400, "Ugyldig adresse.")),
            Resolved::NotFound => None,
            Resolved::Redirect(mut location) => {
                if let Some(q) = query.filter(|q| q.bytes().all(|b| b.is_ascii_graphic())) {
                    location.push('?');
                    location.push_str(q);
                }
                Some(text(301, "Flyttet.").with("Location", &location))
            }
            Resolved::File(file) => match std::fs::read(&file) {
                Ok(bytes) => {
                    let ct = content_type(&file);
                    let bytes = if ct.starts_with("text/html") {
                        html(bytes, &st)
                    } else {
                        bytes
                    };
                    Some(content(bytes, ct))
                }
                Err(_) => None,
            },
        }
    };
    response.unwrap_or_else(|| not_found(shared))
}

/// The site's own 404.html with status 404, or a plain page when the build has none;
/// while the first build runs, a page saying that the page is being made (503).
fn not_found(shared: &Shared) -> Reply {
    let body = {
        let st = shared.status();
        if st.building {
            let body = html(page::building().into_bytes(), &st);
            drop(st);
            let mut reply = content(body, "text/html; charset=utf-8").with("Retry-After", "1");
            reply.status = 503;
            return reply;
        }
        let page = resolve(&shared.out, &format!("/{}", crate::routes::NOT_FOUND));
        let bytes = match page {
            Resolved::File(f) => std::fs::read(f).ok(),
            _ => None,
        };
        let bytes = bytes.unwrap_or_else(|| {
            let (title, text) = if st.build_id.is_empty() {
                (
                    "Forhåndsvisningen er ikke klar",
                    "Nettstedet kunne ikke bygges ennå. Rett feilen og lagre filen, så lastes siden på nytt.",
                )
            } else {
                ("Siden finnes ikke", "Det finnes ingen side på denne adressen.")
            };
            page::fallback(title, text).into_bytes()
        });
        html(bytes, &st)
    };
    let mut reply = content(body, "text/html; charset=utf-8");
    reply.status = 404;
    reply
}

fn html(bytes: Vec<u8>, st: &Status) -> Vec<u8> {
    match String::from_utf8(bytes) {
        Ok(s) => page::inject(&s, &st.build_id, st.error.as_ref()).into_bytes(),
        Err(e) => e.into_bytes(),
    }
}

/// Splits a request target into its path and query; drops a fragment.
fn split_url(url: &str) -> (&str, Option<&str>) {
    let url = url.split('#').next().unwrap_or("");
    match url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url, None),
    }
}

/// Where a URL path leads inside the output folder.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    Redirect(String),
    NotFound,
    /// Traversal, encoded separators, NUL bytes, invalid UTF-8: refused with 400.
    Bad,
}

/// Characters percent-encoded in a path segment of a redirect.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'\\');

/// Maps a URL path to a file under `out` (canonical). Only files whose real path (after
/// following symlinks) is inside `out` are served.
pub fn resolve(out: &Path, path: &str) -> Resolved {
    if !path.starts_with('/') {
        return Resolved::Bad;
    }
    let lower = path.to_ascii_lowercase();
    // Encoded slashes, backslashes and NUL would change the meaning after decoding.
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Resolved::Bad;
    }
    let decoded = match percent_decode_str(path).decode_utf8() {
        Ok(d) => d.into_owned(),
        Err(_) => return Resolved::Bad,
    };
    if decoded.contains(['\0', '\\']) {
        return Resolved::Bad;
    }
    let dir_url = decoded.ends_with('/');
    let inner = decoded[1..].strip_suffix('/').unwrap_or(&decoded[1..]);
    let segments: Vec<&str> = if inner.is_empty() {
        Vec::new()
    } else {
        inner.split('/').collect()
    };
    let mut file = out.to_path_buf();
    for s in &segments {
        // A drive letter (`C:`) would replace the path on Windows.
        if s.is_empty() || *s == "." || *s == ".." || (cfg!(windows) && s.contains(':')) {
            return Resolved::Bad;
        }
        if s.starts_with('.') {
            return Resolved::NotFound;
        }
        file.push(s);
    }
    let Ok(real) = file.canonicalize() else {
        return Resolved::NotFound;
    };
    if !real.starts_with(out) {
        return Resolved::NotFound;
    }
    if real.is_dir() {
        if !dir_url {
            let mut location = String::from("/");
            for s in &segments {
                location.extend(utf8_percent_encode(s, SEGMENT));
                location.push('/');
            }
            return Resolved::Redirect(location);
        }
        return match real.join(crate::routes::INDEX).canonicalize() {
            Ok(index) if index.starts_with(out) && index.is_file() => Resolved::File(index),
            _ => Resolved::NotFound,
        };
    }
    if dir_url || !real.is_file() {
        return Resolved::NotFound;
    }
    Resolved::File(real)
}

/// The Content-Type of a file from its name.
pub fn content_type(path: &Path) -> &'static str {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == "atom.xml" {
        return "application/atom+xml; charset=utf-8";
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// A response: its status, headers and body (the body's length is added when written).
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn with(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }
}

/// A response with the headers every response of the preview has.
fn content(body: Vec<u8>, content_type: &str) -> Reply {
    Reply {
        status: 200,
        headers: Vec::new(),
        body,
    }
    .with("Content-Type", content_type)
    .with("Cache-Control", "no-store")
    .with("X-Content-Type-Options", "nosniff")
}

fn text(status: u16, body: &str) -> Reply {
    let mut reply = content(
        format!("{body}\n").into_bytes(),
        "text/plain; charset=utf-8",
    );
    reply.status = status;
    reply
}

/// Writes `reply` (its head only, for HEAD) in one piece.
fn write_reply(
    mut stream: &TcpStream,
    reply: &Reply,
    head_only: bool,
    close: bool,
) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    if close {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    if !head_only {
        bytes.extend_from_slice(&reply.body);
    }
    stream.write_all(&bytes)?;
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
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
            content_type(Path::new("Makefile")),
            "application/octet-stream"
        );
    }
}
