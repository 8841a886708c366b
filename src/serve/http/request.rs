//! Reading request heads from a connection of the preview, within limits.
//!
//! Why this is not tiny_http, which the preview used before: tiny_http reads the request
//! line and the headers itself, a byte at a time into a buffer with no limit, before the
//! server sees the request, and has no setting for it; eight connections each sending
//! 64 MB of one unfinished header took the preview from 52 MB to 1 GB. Its reader cannot
//! be put behind another one. The HTTP the preview needs is small (GET and HEAD, no
//! request bodies, one response at a time per connection), so reading the head is done
//! here, with a fixed limit on every part, and the syntax of the head is parsed by
//! `httparse` (the parser of hyper, which mdBook and Zola serve through; hyper caps a
//! head at about 400 KB and 100 headers). The responses are written in `http`.

use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::theme::{Key, key};

/// Why a request head is refused (the answer says it in the site's language: [`Why::key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The head did not arrive within [`HEAD_TIMEOUT`].
    Timeout,
    /// More than [`MAX_HEADERS`] header lines.
    TooManyHeaders,
    /// A request line longer than [`MAX_LINE`].
    TargetTooLong,
    /// A header line longer than [`MAX_LINE`], or a head larger than [`MAX_HEAD`] bytes.
    HeadersTooLarge,
    /// Not an HTTP request line or header as the server reads them.
    BadRequest,
    /// A version `httparse` does not read (not HTTP/1.x).
    HttpVersion,
    /// Two `Host` headers (which one the check would see is ambiguous).
    TwoHosts,
    /// `Content-Length` given twice with different values (request smuggling).
    TwoLengths,
    /// Both `Content-Length` and `Transfer-Encoding` (request smuggling).
    LengthAndChunks,
}

impl Why {
    /// The interface string that says it.
    pub(crate) fn key(self) -> Key {
        match self {
            Why::Timeout => key!("serve_request_timeout"),
            Why::TooManyHeaders => key!("serve_too_many_headers"),
            Why::TargetTooLong => key!("serve_target_too_long"),
            Why::HeadersTooLarge => key!("serve_headers_too_large"),
            Why::BadRequest => key!("serve_bad_request"),
            Why::HttpVersion => key!("serve_http_version"),
            Why::TwoHosts => key!("serve_two_hosts"),
            Why::TwoLengths => key!("serve_two_lengths"),
            Why::LengthAndChunks => key!("serve_length_and_chunks"),
        }
    }
}

/// The longest request line, and the longest header line (bytes, without the line end).
pub(crate) const MAX_LINE: usize = 16 * 1024;
/// The most header lines in one request.
pub(crate) const MAX_HEADERS: usize = 100;
/// The longest request head in all: request line, headers and the empty line.
pub const MAX_HEAD: usize = 64 * 1024;
/// How long a connection may take to send a whole request head, counted from when the
/// server starts waiting for it (so also how long an idle connection is kept open).
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// A request head that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub(crate) method: String,
    /// The request target as sent (`/medlemmer/?q=1`).
    pub target: String,
    /// HTTP/1.1 (rather than 1.0).
    pub http11: bool,
    /// The one `Host` header, if any (not UTF-8: as `None`, which no check lets through).
    pub host: Option<String>,
    /// Close the connection after the response: the client asked to, speaks HTTP/1.0,
    /// or sent a body (the preview reads none, so the connection cannot go on).
    pub close: bool,
}

/// What waiting for the next request on a connection gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// A whole request head that keeps the rules: serve it (the connection may carry
    /// more requests after it).
    Request(Head),
    /// A head that breaks a rule: answer with this status and close the connection.
    Refuse(u16, Why),
    /// The client closed the connection, or went quiet before sending anything, or the
    /// connection failed: close it without an answer.
    Closed,
}

/// The bytes a connection has sent and not yet used: never more than [`MAX_HEAD`].
#[derive(Debug, Default)]
pub struct Reader {
    buf: Vec<u8>,
    /// How far `buf` has been looked through for line ends.
    scanned: usize,
    /// Where the line being read starts.
    line_start: usize,
    /// Lines of the head so far (the request line and the header lines).
    lines: usize,
}

impl Reader {
    /// A reader at the start of a connection, with nothing read.
    pub fn new() -> Reader {
        Reader::default()
    }

    /// Waits for the next request head on `stream`, at most [`HEAD_TIMEOUT`], reading
    /// no more than [`MAX_HEAD`] bytes for it.
    pub(crate) fn next(&mut self, stream: &mut TcpStream) -> Next {
        let deadline = Instant::now() + HEAD_TIMEOUT;
        let mut chunk = [0u8; 8 * 1024];
        loop {
            if let Some(next) = self.poll() {
                return next;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
                return self.timed_out();
            }
            let room = (MAX_HEAD - self.buf.len()).min(chunk.len());
            match stream.read(&mut chunk[..room]) {
                Ok(0) => return Next::Closed,
                Ok(n) => self.push(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return self.timed_out();
                }
                Err(_) => return Next::Closed,
            }
        }
    }

    fn timed_out(&self) -> Next {
        if self.buf.is_empty() {
            Next::Closed
        } else {
            Next::Refuse(408, Why::Timeout)
        }
    }

    /// How many bytes are held: those of the head being read, and of requests sent
    /// after it. Never more than [`MAX_HEAD`].
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Adds bytes read from the connection. The caller never reads more than there is
    /// room for under [`MAX_HEAD`].
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next request, if its head is complete; a refusal as soon as a limit is
    /// passed; `None` while more bytes are needed.
    pub fn poll(&mut self) -> Option<Next> {
        match self.scan() {
            Err(refusal) => Some(refusal),
            Ok(Some(end)) => {
                let next = parse(&self.buf[..end]);
                // Pipelined requests after this one stay for the next call.
                self.buf.drain(..end);
                self.scanned = 0;
                self.line_start = 0;
                self.lines = 0;
                Some(next)
            }
            Ok(None) if self.buf.len() >= MAX_HEAD => Some(too_large()),
            Ok(None) => None,
        }
    }

    /// Looks through the new bytes for line ends: the end of the head (its length), or
    /// a refusal when a line or the number of lines passes its limit.
    fn scan(&mut self) -> Result<Option<usize>, Next> {
        while let Some(at) = memchr::memchr(b'\n', &self.buf[self.scanned..]) {
            let end = self.scanned + at;
            self.scanned = end + 1;
            let line = &self.buf[self.line_start..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            self.check_length(line.len())?;
            self.line_start = end + 1;
            if line.is_empty() {
                if self.lines == 0 {
                    // Empty lines before the request line are skipped (RFC 9112, 2.2).
                    continue;
                }
                return Ok(Some(end + 1));
            }
            self.lines += 1;
            if self.lines > MAX_HEADERS + 1 {
                return Err(Next::Refuse(431, Why::TooManyHeaders));
            }
        }
        self.scanned = self.buf.len();
        // The line being read, unfinished: refused as soon as it is too long.
        let rest = &self.buf[self.line_start..];
        self.check_length(rest.strip_suffix(b"\r").unwrap_or(rest).len())?;
        Ok(None)
    }

    fn check_length(&self, len: usize) -> Result<(), Next> {
        if len <= MAX_LINE {
            Ok(())
        } else if self.lines == 0 {
            Err(Next::Refuse(414, Why::TargetTooLong))
        } else {
            Err(too_large())
        }
    }
}

fn too_large() -> Next {
    Next::Refuse(431, Why::HeadersTooLarge)
}

/// Parses a complete head and applies the rules on its headers: one `Host`; one
/// `Content-Length` value (repeated only with the same value), never with
/// `Transfer-Encoding`.
fn parse(bytes: &[u8]) -> Next {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let bad = Next::Refuse(400, Why::BadRequest);
    match req.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return bad,
        Err(httparse::Error::TooManyHeaders) => {
            return Next::Refuse(431, Why::TooManyHeaders);
        }
        Err(httparse::Error::Version) => {
            return Next::Refuse(505, Why::HttpVersion);
        }
        Err(_) => return bad,
    }
    let (Some(method), Some(target), Some(version)) = (req.method, req.path, req.version) else {
        return bad;
    };
    let named = |name: &'static str| {
        req.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
    };
    let mut hosts = named("Host");
    let host = hosts.next().map(|h| std::str::from_utf8(h.value).ok());
    if hosts.next().is_some() {
        return Next::Refuse(400, Why::TwoHosts);
    }
    let mut length: Option<&[u8]> = None;
    for h in named("Content-Length") {
        // A list of the same value (`5, 5`) is the same length (RFC 9110, 8.6).
        for value in h.value.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
            if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                return bad;
            }
            if length.is_some_and(|l| l != value) {
                return Next::Refuse(400, Why::TwoLengths);
            }
            length = Some(value);
        }
    }
    let chunked = named("Transfer-Encoding").next().is_some();
    if chunked && length.is_some() {
        return Next::Refuse(400, Why::LengthAndChunks);
    }
    let body = chunked || length.is_some_and(|l| l.iter().any(|&b| b != b'0'));
    let asks_close = named("Connection").any(|h| {
        h.value
            .split(|&b| b == b',')
            .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"))
    });
    Next::Request(Head {
        method: method.to_string(),
        target: target.to_string(),
        http11: version == 1,
        host: host.flatten().map(str::to_string),
        close: version == 0 || asks_close || body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Option<Next> {
        let mut r = Reader::new();
        r.push(bytes);
        r.poll()
    }

    fn status(bytes: &[u8]) -> u16 {
        match read(bytes) {
            Some(Next::Refuse(s, _)) => s,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn reads_a_head_and_keeps_the_next_one() {
        let mut r = Reader::new();
        r.push(b"\r\nGET /a HTTP/1.1\r\nHost: localhost:1\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
        let Some(Next::Request(a)) = r.poll() else {
            panic!("no request")
        };
        assert_eq!(a.target, "/a");
        assert_eq!(a.host.as_deref(), Some("localhost:1"));
        assert!(a.http11 && !a.close);
        let Some(Next::Request(b)) = r.poll() else {
            panic!("no second request")
        };
        assert_eq!((b.target.as_str(), b.host, b.close), ("/b", None, true));
        assert_eq!(r.poll(), None);
    }

    #[test]
    fn waits_for_the_rest_of_a_head() {
        let mut r = Reader::new();
        r.push(b"GET / HTTP/1.1\r\nHo");
        assert_eq!(r.poll(), None);
        r.push(b"st: x\r\n\r");
        assert_eq!(r.poll(), None);
        r.push(b"\n");
        assert!(matches!(r.poll(), Some(Next::Request(_))));
    }

    #[test]
    fn refuses_what_passes_a_limit_as_soon_as_it_does() {
        let long_target = format!("GET /{} HTTP/1.1\r\n", "a".repeat(MAX_LINE));
        assert_eq!(status(long_target.as_bytes()), 414);
        let long_header = format!("GET / HTTP/1.1\r\nX: {}", "a".repeat(MAX_LINE));
        assert_eq!(status(long_header.as_bytes()), 431);
        let many = format!("GET / HTTP/1.1\r\n{}", "X: 1\r\n".repeat(MAX_HEADERS + 1));
        assert_eq!(status(many.as_bytes()), 431);
        let big = format!(
            "GET / HTTP/1.1\r\n{}",
            format!("X: {}\r\n", "a".repeat(MAX_LINE - 10)).repeat(5)
        );
        assert!(big.len() > MAX_HEAD);
        assert_eq!(status(&big.as_bytes()[..MAX_HEAD]), 431);
        // Right at the limits is fine.
        let most = format!(
            "GET / HTTP/1.1\r\nX: {}\r\n{}\r\n",
            "a".repeat(MAX_LINE - 3),
            "Y: 1\r\n".repeat(MAX_HEADERS - 1)
        );
        assert!(matches!(read(most.as_bytes()), Some(Next::Request(_))));
    }

    #[test]
    fn header_rules() {
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
        assert_eq!(status(b"GET / HTTP/1.1\r\nhost: a\r\nHOST: a\r\n\r\n"), 400);
        assert_eq!(
            status(b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            400
        );
        assert_eq!(
            status(b"GET / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n"),
            400
        );
        assert_eq!(status(b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
        assert_eq!(
            status(b"GET / HTTP/1.1\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            400
        );
        assert_eq!(status(b"GET / HTTP/2.0\r\n\r\n"), 505);
        assert_eq!(status(b"GET /\0 HTTP/1.1\r\n\r\n"), 400);
        // The same length twice is one length; a body closes the connection after.
        let Some(Next::Request(h)) =
            read(b"GET / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n")
        else {
            panic!("refused")
        };
        assert!(h.close);
        let Some(Next::Request(h)) =
            read(b"GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n")
        else {
            panic!("refused")
        };
        assert!(h.close);
    }
}
