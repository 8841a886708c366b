//! The HTTP side of `serve`: one thread per connection (so a slow or stalled client
//! holds up no one else), request heads read within limits (module `request`), files
//! from the output folder only, the Host header checked against DNS rebinding, HTML
//! pages with the reload script.

mod files;
mod host;
mod reply;
pub mod request;
#[cfg(test)]
mod tests;

pub(crate) use files::{Resolved, content_type, resolve};
pub(crate) use host::HostCheck;

use std::io::Read;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;

use super::events::{self, Hub, Status};
use super::page;
use crate::theme::{Key, key};
use files::split_url;
use page::Language;
use reply::{Reply, content, text, write_reply};
use request::{Head, Next, Reader};

/// Requests handled at once (streams included); past that, 503.
const MAX_ACTIVE: usize = 256;
/// Connections open at once; past that, 503 and closed. Each holds a thread and at most
/// [`MAX_HEAD`](request::MAX_HEAD) bytes of unread request, so this bounds what clients can make the
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
pub(crate) struct Shared {
    /// The output folder, canonical.
    pub(crate) out: PathBuf,
    /// The preview's status. Rebuilds hold it for writing while they change files, so
    /// a request never reads a half-written build.
    pub(crate) gate: RwLock<Status>,
    /// The files being brought up to date after a reload.
    pub(crate) pending: Pending,
    pub(crate) hub: Hub,
    /// The interface strings of the site's language, which the server's own pages and
    /// answers are written in (not behind `gate`: the accepting thread reads them).
    language: RwLock<Arc<Language>>,
    pub(crate) hosts: HostCheck,
    pub(crate) heartbeat: Duration,
    active: AtomicUsize,
    connections: AtomicUsize,
}

impl Shared {
    pub(crate) fn new(
        out: PathBuf,
        language: Language,
        hosts: HostCheck,
        heartbeat: Duration,
    ) -> Shared {
        Shared {
            language: RwLock::new(Arc::new(language)),
            out,
            gate: RwLock::new(Status::default()),
            pending: Pending::default(),
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

    /// The language and interface strings the server speaks in.
    pub(crate) fn language(&self) -> Arc<Language> {
        Arc::clone(&self.language.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Speaks this language from now on (the site's language or strings changed).
    pub(crate) fn set_language(&self, language: Language) {
        *self.language.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(language);
    }

    /// A plain text answer: the string `key` with `status`.
    fn say(&self, status: u16, key: Key) -> Reply {
        text(status, self.language().get(key))
    }
}

/// How long a request waits at most for a file being brought up to date (a bound, not
/// a delay: the file is written a few milliseconds after the reload).
const PENDING_WAIT: Duration = Duration::from_secs(30);

/// The output files that the last rebuild left to be brought up to date after the
/// reload (see [`crate::rebuild::Preview::later`]): a request for one of them waits
/// until it is, so that the preview never serves a file older than the build it
/// announced.
#[derive(Default)]
pub(crate) struct Pending {
    files: Mutex<Vec<PathBuf>>,
    done: Condvar,
}

impl Pending {
    /// Marks these files (absolute paths) as being brought up to date. Requests waiting
    /// for a file no longer in the list (a whole build made it meanwhile) go on.
    pub(crate) fn set(&self, files: Vec<PathBuf>) {
        *self.lock() = files;
        self.done.notify_all();
    }

    /// They are up to date: the requests waiting for them go on.
    pub(crate) fn clear(&self) {
        self.lock().clear();
        self.done.notify_all();
    }

    /// Waits while the file at URL `path` is being brought up to date.
    fn wait_for(&self, out: &Path, path: &str) {
        if self.lock().is_empty() {
            return;
        }
        let Resolved::File(file) = resolve(out, path) else {
            return;
        };
        let files = self.lock();
        let _ = self
            .done
            .wait_timeout_while(files, PENDING_WAIT, |files| files.contains(&file));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<PathBuf>> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Accepts connections until the process ends, each on its own thread.
pub(crate) fn serve_forever(listener: TcpListener, shared: Arc<Shared>) {
    for conn in listener.incoming() {
        let Ok(stream) = conn else {
            // Out of file descriptors, say: wait a little rather than spin.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if shared.connections.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            // Never block the accepting thread on this client.
            let _ = stream.set_nonblocking(true);
            let _ = write_reply(&stream, &shared.say(503, BUSY), false, true);
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

const BUSY: Key = key!("serve_busy");

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

/// Answers the requests of one connection, one after the other, until it closes.
fn connection(mut stream: TcpStream, shared: &Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut reader = Reader::new();
    loop {
        let req = match reader.next(&mut stream) {
            Next::Request(req) => req,
            Next::Refuse(status, why) => return refuse(stream, shared.say(status, why.key())),
            Next::Closed => return,
        };
        if shared.active.load(Ordering::SeqCst) >= MAX_ACTIVE {
            return refuse(stream, shared.say(503, BUSY));
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
fn refuse(stream: TcpStream, reply: Reply) {
    if write_reply(&stream, &reply, false, true).is_err() {
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
        return Answer::Reply(shared.say(403, key!("serve_foreign_host")));
    }
    let head = match req.method.as_str() {
        "GET" => false,
        "HEAD" => true,
        _ => {
            let r = shared.say(405, key!("serve_methods"));
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
    shared.pending.wait_for(&shared.out, path);
    let response = {
        // Resolve and read under the status lock: never a file from a half-written build.
        let st = shared.status();
        match resolve(&shared.out, path) {
            Resolved::Bad => Some(shared.say(400, key!("serve_bad_address"))),
            Resolved::NotFound => None,
            Resolved::Redirect(mut location) => {
                if let Some(q) = query.filter(|q| q.bytes().all(|b| b.is_ascii_graphic())) {
                    location.push('?');
                    location.push_str(q);
                }
                Some(
                    shared
                        .say(301, key!("serve_moved"))
                        .with("Location", &location),
                )
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
        let t = shared.language();
        if st.building {
            let body = html(page::building(&t).into_bytes(), &st);
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
                (key!("serve_not_ready_title"), key!("serve_not_ready"))
            } else {
                (key!("serve_not_found_title"), key!("serve_not_found"))
            };
            page::fallback(&t, title, text).into_bytes()
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
