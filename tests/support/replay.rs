//! Replaying recorded HTTP traffic on 127.0.0.1.
//!
//! [`Replay`] answers the n-th request it receives with the n-th recorded response, in
//! arrival order whatever the path, the way smithy-rs replays its `http-traffic.json`
//! files. A request beyond the recording gets no response at all (the connection is
//! closed): a retrying client sees "no more responses" as a failure, as upstream's
//! replayer does. (`server.rs` routes by path and repeats or fails with a 500 past its
//! script, which is not what a recording means.) Pair it with `loopback.rs`'s guard.

use std::io::BufReader;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::http1::{Acceptor, Serve, query_pairs, read_head, write_response};
use super::server::Seen;

/// One recorded response.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    /// Recorded headers, without `content-length` and `connection` (the server writes
    /// its own: recorded lengths are sometimes wrong, and every connection closes).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Canned {
    /// From a recorded status, header list and body; drops the headers the server
    /// must write itself.
    pub fn new(status: u16, headers: &[(String, String)], body: &str) -> Canned {
        Canned {
            status,
            headers: headers
                .iter()
                .filter(|(k, _)| {
                    !k.eq_ignore_ascii_case("content-length")
                        && !k.eq_ignore_ascii_case("connection")
                        && !k.eq_ignore_ascii_case("transfer-encoding")
                })
                .cloned()
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }
}

#[derive(Default)]
struct State {
    responses: Vec<Canned>,
    seen: Vec<Seen>,
}

/// A server on 127.0.0.1 replaying responses in order; stops when dropped.
pub struct Replay {
    state: Arc<Mutex<State>>,
    acceptor: Acceptor,
}

impl Replay {
    pub fn start(responses: Vec<Canned>) -> Replay {
        let state = Arc::new(Mutex::new(State {
            responses,
            seen: Vec::new(),
        }));
        // One connection at a time: the order of arrival is the order of the answers.
        let acceptor = {
            let state = Arc::clone(&state);
            Acceptor::start(Serve::InOrder, move |stream| {
                let _ = serve(stream, &state);
            })
        };
        Replay { state, acceptor }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.acceptor.addr())
    }

    /// Every request so far, in arrival order (including unanswered ones).
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let Some(head) = read_head(&mut reader)? else {
        return Ok(());
    };
    let body = head.read_sized_body(&mut reader)?;
    let (path, query) = head.split_target();
    let reply = {
        let mut st = state.lock().unwrap();
        let n = st.seen.len();
        st.seen.push(Seen {
            method: head.method.clone(),
            path: path.to_owned(),
            query: query_pairs(query),
            headers: head.headers.clone(),
            body,
        });
        st.responses.get(n).cloned()
    };
    // Past the recording: close without answering.
    let Some(reply) = reply else { return Ok(()) };
    write_response(&mut { stream }, reply.status, &reply.headers, &reply.body)
}

/// `(scheme://authority, path-and-query)`.
pub fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find(['/', '?']) {
        Some(i) => url.split_at(after_scheme + i),
        None => (url, ""),
    }
}
