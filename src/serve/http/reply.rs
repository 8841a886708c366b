//! Responses: a status, headers and a body, written to the stream.

use std::io::Write;
use std::net::TcpStream;

/// A response: its status, headers and body (the body's length is added when written).
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    pub(super) fn with(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }
}

/// A response with the headers every response of the preview has.
pub(super) fn content(body: Vec<u8>, content_type: &str) -> Reply {
    Reply {
        status: 200,
        headers: Vec::new(),
        body,
    }
    .with("Content-Type", content_type)
    .with("Cache-Control", "no-store")
    .with("X-Content-Type-Options", "nosniff")
}

pub(super) fn text(status: u16, body: &str) -> Reply {
    let mut reply = content(
        format!("{body}\n").into_bytes(),
        "text/plain; charset=utf-8",
    );
    reply.status = status;
    reply
}

/// Writes `reply` (its head only, for HEAD) in one piece.
pub(super) fn write_reply(
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
