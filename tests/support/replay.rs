//! Replaying recorded HTTP traffic on 127.0.0.1.
//!
//! [`Replay`] answers the n-th request it receives with the n-th recorded response, in
//! arrival order whatever the path, the way smithy-rs replays its `http-traffic.json`
//! files. A request beyond the recording gets no response at all (the connection is
//! closed): a retrying client sees "no more responses" as a failure, as upstream's
//! replayer does. (`server.rs` routes by path and repeats or fails with a 500 past its
//! script, which is not what a recording means.) Pair it with `loopback.rs`'s guard.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::server::{Seen, decode};

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
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Replay {
    pub fn start(responses: Vec<Canned>) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            responses,
            seen: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let state = Arc::clone(&state);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    // One connection at a time: the order of arrival is the order of
                    // the answers.
                    let _ = serve(stream, &state);
                }
            })
        };
        Replay {
            addr,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in arrival order (including unanswered ones).
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(());
    }
    let mut parts = line.trim_end().splitn(3, ' ');
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let mut headers = std::collections::HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    let reply = {
        let mut st = state.lock().unwrap();
        let n = st.seen.len();
        st.seen.push(Seen {
            method,
            path: path.to_owned(),
            query,
            headers,
            body,
        });
        st.responses.get(n).cloned()
    };
    // Past the recording: close without answering.
    let Some(reply) = reply else { return Ok(()) };
    let mut out = stream;
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(&reply.body)?;
    out.flush()
}

/// `(scheme://authority, path-and-query)`.
pub fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find(['/', '?']) {
        Some(i) => url.split_at(after_scheme + i),
        None => (url, ""),
    }
}
