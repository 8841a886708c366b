//! Server-Sent Events: every open tab holds one stream and hears about each rebuild.
//!
//! A stream starts with `hello`, the state of the preview at that moment (the id of the
//! last good build and the error overlay, if the last rebuild failed), so that a tab that
//! reconnects after a restart or a lost connection catches up. After that, one event per
//! rebuild: `reload` (a new build), `ok` (a good build that changed nothing) or
//! `build-error` (the rebuild failed; the last good build is still served). Each stream
//! has its own thread; a comment line every few seconds finds the clients that are gone.

use std::io::Write;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Events queued for one stream before the client counts as too slow and is dropped
/// (its browser reconnects and gets `hello` with the current state).
const QUEUE: usize = 16;

/// The state of the preview that pages and streams are told about.
#[derive(Debug, Clone, Default)]
pub(crate) struct Status {
    /// The id of the last good build; empty before the first one.
    pub(crate) build_id: String,
    /// The error overlay of the last rebuild, if it failed.
    pub(crate) error: Option<Overlay>,
    /// The first build is running: pages appear as it makes them, and the pages it has
    /// not made yet are answered with [`super::page::building`].
    pub(crate) building: bool,
}

/// An error overlay: its markup and an id that changes with the content.
#[derive(Debug, Clone)]
pub(crate) struct Overlay {
    pub(crate) id: String,
    pub(crate) html: String,
}

impl Status {
    /// One SSE frame with this status as its JSON data.
    pub(crate) fn frame(&self, event: &str) -> String {
        let data = serde_json::json!({
            "build": self.build_id,
            "error": self.error.as_ref().map(|o| o.html.as_str()),
            "error_id": self.error.as_ref().map(|o| o.id.as_str()),
        });
        // serde_json escapes newlines, so the data is one line.
        format!("event: {event}\ndata: {data}\n\n")
    }
}

/// The open streams.
#[derive(Default)]
pub(crate) struct Hub {
    clients: Mutex<Vec<SyncSender<Arc<str>>>>,
}

impl Hub {
    /// A new stream's queue.
    pub(crate) fn subscribe(&self) -> Receiver<Arc<str>> {
        let (tx, rx) = sync_channel(QUEUE);
        self.lock().push(tx);
        rx
    }

    /// Sends a frame to every stream; drops the streams that are gone or too slow.
    pub(crate) fn broadcast(&self, frame: &str) {
        let frame: Arc<str> = Arc::from(frame);
        self.lock()
            .retain(|tx| match tx.try_send(Arc::clone(&frame)) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => false,
            });
    }

    /// How many streams are open.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<SyncSender<Arc<str>>>> {
        self.clients.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Writes the response head and then the events of `rx` to one client until it goes
/// away or the hub drops it. `chunked` for HTTP/1.1 clients; HTTP/1.0 clients get the
/// body until the connection closes.
pub(crate) fn stream(
    mut w: Box<dyn Write + Send>,
    chunked: bool,
    hello: String,
    rx: Receiver<Arc<str>>,
    heartbeat: Duration,
) {
    let head = format!(
        "HTTP/1.{} 200 OK\r\n\
         Content-Type: text/event-stream; charset=utf-8\r\n\
         Cache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\n\
         {}\r\n",
        if chunked { 1 } else { 0 },
        if chunked {
            "Transfer-Encoding: chunked\r\n"
        } else {
            "Connection: close\r\n"
        },
    );
    if w.write_all(head.as_bytes()).is_err() {
        return;
    }
    // Reconnect quickly after a restart of the server.
    let first = format!("retry: 1000\n\n{hello}");
    if send(&mut w, chunked, &first).is_err() {
        return;
    }
    loop {
        let sent = match rx.recv_timeout(heartbeat) {
            Ok(frame) => send(&mut w, chunked, &frame),
            Err(RecvTimeoutError::Timeout) => send(&mut w, chunked, ": ping\n\n"),
            Err(RecvTimeoutError::Disconnected) => {
                if chunked {
                    let _ = w.write_all(b"0\r\n\r\n");
                    let _ = w.flush();
                }
                return;
            }
        };
        if sent.is_err() {
            // The client is gone: dropping `rx` takes it off the hub at the next event.
            return;
        }
    }
}

fn send(w: &mut Box<dyn Write + Send>, chunked: bool, text: &str) -> std::io::Result<()> {
    if chunked {
        write!(w, "{:x}\r\n{text}\r\n", text.len())?;
    } else {
        w.write_all(text.as_bytes())?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_single_data_lines() {
        let s = Status {
            build_id: "abc".into(),
            error: Some(Overlay {
                id: "1".into(),
                html: "<p>\nline\n</p>".into(),
            }),
            building: false,
        };
        let f = s.frame("build-error");
        assert!(f.starts_with("event: build-error\ndata: {"), "{f}");
        assert_eq!(f.matches('\n').count(), 3, "{f}");
        assert!(f.ends_with("}\n\n"));
    }

    #[test]
    fn hub_drops_streams_that_are_gone() {
        let hub = Hub::default();
        let a = hub.subscribe();
        let b = hub.subscribe();
        drop(b);
        hub.broadcast("x");
        assert_eq!(hub.len(), 1);
        assert_eq!(&*a.recv().unwrap(), "x");
    }

    #[test]
    fn hub_drops_streams_that_do_not_keep_up() {
        let hub = Hub::default();
        let _slow = hub.subscribe();
        for _ in 0..=QUEUE {
            hub.broadcast("x");
        }
        assert!(hub.is_empty());
    }
}
