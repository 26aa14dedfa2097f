//! A scripted OpenAI-compatible server for tests: answers requests with canned responses and
//! records what it was sent. Used by this crate's tests and by crates that build on it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One canned answer: status line, extra headers, body, and an optional stall before answering.
#[derive(Clone)]
pub struct Canned {
    /// HTTP status code.
    pub status: u16,
    /// Extra response headers.
    pub headers: Vec<(&'static str, String)>,
    /// Response body.
    pub body: String,
    /// Wait this long before answering (to provoke timeouts).
    pub stall: Option<Duration>,
}

/// A 200 chat-completions answer with `content` and fixed usage (11 prompt, 7 completion).
pub fn ok(content: &str) -> Canned {
    let body = serde_json::json!({
        "choices": [{"message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7},
    });
    Canned {
        status: 200,
        headers: vec![],
        body: body.to_string(),
        stall: None,
    }
}

/// A bare answer with a status and body.
pub fn status(code: u16, body: &str) -> Canned {
    Canned {
        status: code,
        headers: vec![],
        body: body.into(),
        stall: None,
    }
}

/// A server that answers each request with the next canned response and records request bodies.
pub struct Scripted {
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    /// Bodies of the requests received, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
}

/// Starts the server on a free loopback port; it answers each request with the next canned
/// response (a 500 once the script runs out).
pub async fn serve(script: Vec<Canned>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port for the test server");
    let addr = listener
        .local_addr()
        .expect("the test server has an address");
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let body = read_request(&mut sock).await;
            seen.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(body);
            let next = script
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .pop_front()
                .unwrap_or_else(|| status(500, "script exhausted"));
            let script_stall = next.stall;
            tokio::spawn(async move {
                if let Some(d) = script_stall {
                    tokio::time::sleep(d).await;
                }
                let mut head = format!(
                    "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                    next.status,
                    next.body.len()
                );
                for (k, v) in &next.headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(next.body.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Scripted {
        base_url: format!("http://{addr}/v1"),
        requests,
    }
}

/// Reads one HTTP/1.1 request and returns its body.
async fn read_request(sock: &mut tokio::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = sock.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).into_owned();
            }
        }
    }
    String::new()
}
