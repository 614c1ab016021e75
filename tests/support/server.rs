//! A real HTTP/1.1 server on 127.0.0.1 for tests: it plays the SSO portal, SSO OIDC,
//! STS and the metadata endpoints. Each route answers its n-th request with its n-th
//! scripted response (the last one repeats), records every request, and can delay an
//! answer to provoke timeouts; a gate can answer first, for rules that depend on the
//! request (IMDSv2's token). It binds port 0 and stops when dropped.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply::new(status, body.to_string()).header("Content-Type", "application/json")
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

type Gate = dyn Fn(&Seen) -> Option<Reply> + Send + Sync;

#[derive(Default)]
struct State {
    /// Replies, the next index, and whether to fail (500) once they run out instead of
    /// repeating the last.
    routes: HashMap<(String, String), (Vec<Reply>, usize, bool)>,
    seen: Vec<Seen>,
    gate: Option<Arc<Gate>>,
}

pub struct Server {
    addr: std::net::SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
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
                    let state = Arc::clone(&state);
                    std::thread::spawn(move || {
                        let _ = serve(stream, &state);
                    });
                }
            })
        };
        Server {
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

    /// Scripts the answers to `method path` (path without query).
    pub fn route(&self, method: &str, path: &str, replies: Vec<Reply>) {
        self.route_then(method, path, replies, false);
    }

    /// Like [`route`](Self::route); with `fail_after`, a request past the last reply gets
    /// a 500 instead of the last reply again.
    pub fn route_then(&self, method: &str, path: &str, replies: Vec<Reply>, fail_after: bool) {
        self.state.lock().unwrap().routes.insert(
            (method.to_owned(), path.to_owned()),
            (replies, 0, fail_after),
        );
    }

    /// Asks `gate` about every request before the routes: `Some(reply)` answers it.
    pub fn gate(&self, gate: impl Fn(&Seen) -> Option<Reply> + Send + Sync + 'static) {
        self.state.lock().unwrap().gate = Some(Arc::new(gate));
    }

    /// Every request so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// How many requests hit `path`.
    pub fn count(&self, path: &str) -> usize {
        self.seen().iter().filter(|s| s.path == path).count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
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
    let mut headers = HashMap::new();
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
        let seen = Seen {
            method: method.clone(),
            path: path.to_owned(),
            query,
            headers,
            body,
        };
        let gated = st.gate.as_ref().and_then(|gate| gate(&seen));
        st.seen.push(seen);
        // An exact route, else one whose path ends the request's (an endpoint with a base
        // path, `http://host/base`, puts the operation's path after it).
        let key = if st.routes.contains_key(&(method.clone(), path.to_owned())) {
            (method.clone(), path.to_owned())
        } else {
            st.routes
                .keys()
                .find(|(m, p)| *m == method && path.ends_with(p.as_str()))
                .cloned()
                .unwrap_or_default()
        };
        match (gated, st.routes.get_mut(&key)) {
            (Some(r), _) => r,
            (None, Some((replies, next, true))) if *next >= replies.len() => {
                *next += 1;
                Reply::new(500, "no more scripted replies")
            }
            (None, Some((replies, next, _))) if !replies.is_empty() => {
                let r = replies[(*next).min(replies.len() - 1)].clone();
                *next += 1;
                r
            }
            // A proxy tunnel is never granted: nothing leaves 127.0.0.1.
            _ if method == "CONNECT" => Reply::new(403, "no tunnels here"),
            _ => Reply::new(404, "no route"),
        }
    };
    std::thread::sleep(reply.delay);
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

/// Percent-decoding of a query component (`+` stays `+`: botocore encodes spaces as %20).
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `http://127.0.0.1:PORT` where nothing listens: connections are refused at once.
pub fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// A port that takes connections (the kernel completes them) but never reads or answers:
/// every request to it times out. Keep the value alive while it is used.
pub struct Silent {
    _listener: TcpListener,
    addr: std::net::SocketAddr,
}

impl Silent {
    pub fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        Silent {
            _listener: listener,
            addr,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
