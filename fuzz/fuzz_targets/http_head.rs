//! The preview server's request reader (`aktsom serve`): any bytes, arriving in any
//! pieces, as a client could send them. Besides "no panic, no hang": it never holds
//! more than its limit, refuses only with the statuses it documents, and a request it
//! lets through has a target and a Host without line breaks.

#![no_main]

use aktsom::serve::http::request::{MAX_HEAD, Next, Reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte sets the size of the pieces the rest arrives in.
    let Some((&piece, mut rest)) = data.split_first() else {
        return;
    };
    let piece = usize::from(piece).max(1);
    let mut reader = Reader::new();
    while !rest.is_empty() {
        // As `Reader::next` does: never more than there is room for.
        let room = MAX_HEAD - reader.buffered();
        let (now, later) = rest.split_at(piece.min(room).min(rest.len()));
        rest = later;
        reader.push(now);
        loop {
            assert!(reader.buffered() <= MAX_HEAD);
            match reader.poll() {
                None => break,
                Some(Next::Request(head)) => {
                    assert!(!head.target.is_empty());
                    assert!(!head.target.contains(['\r', '\n', ' ']), "{:?}", head.target);
                    if let Some(host) = &head.host {
                        assert!(!host.contains(['\r', '\n']), "{host:?}");
                    }
                    assert!(head.http11 || head.close);
                }
                Some(Next::Refuse(status, _)) => {
                    assert!([400, 414, 431, 505].contains(&status), "{status}");
                    // The connection is closed after a refusal.
                    return;
                }
                Some(Next::Closed) => unreachable!("poll never closes"),
            }
        }
        // A full buffer without a complete head has been refused above.
        assert!(reader.buffered() < MAX_HEAD);
    }
});
