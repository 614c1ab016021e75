//! A real HTTP/1.1 server on 127.0.0.1 for tests: it plays the SSO portal, SSO OIDC,
//! STS and the metadata endpoints. Each route answers its n-th request with its n-th
//! scripted response (the last one repeats), records every request, and can delay an
//! answer to provoke timeouts; a gate can answer first, for rules that depend on the
//! request (IMDSv2's token). It binds port 0 and stops when dropped.

use std::collections::HashMap;
use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use super::http1::decode;
use super::http1::{Acceptor, Serve, query_pairs, read_head, write_response};

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
    state: Arc<Mutex<State>>,
    acceptor: Acceptor,
}

impl Server {
    pub fn start() -> Server {
        let state = Arc::new(Mutex::new(State::default()));
        let acceptor = {
            let state = Arc::clone(&state);
            Acceptor::start(Serve::Concurrently, move |stream| {
                let _ = serve(stream, &state);
            })
        };
        Server { state, acceptor }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.acceptor.addr())
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

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let Some(head) = read_head(&mut reader)? else {
        return Ok(());
    };
    let body = head.read_sized_body(&mut reader)?;
    let (path, query) = head.split_target();
    let query = query_pairs(query);
    let method = head.method.clone();
    let reply = {
        let mut st = state.lock().unwrap();
        let seen = Seen {
            method: method.clone(),
            path: path.to_owned(),
            query,
            headers: head.headers.clone(),
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
    write_response(&mut { stream }, reply.status, &reply.headers, &reply.body)
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
