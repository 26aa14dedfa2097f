//! Error handling of `LlmClient` against a scripted local HTTP server.

use copydesk_llm::{LlmClient, LlmConfig, LlmError};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One canned answer: status line, extra headers, body, and an optional stall before answering.
#[derive(Clone)]
struct Canned {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    stall: Option<Duration>,
}

fn ok(content: &str) -> Canned {
    let body = serde_json::json!({
        "choices": [{"message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7},
    });
    Canned { status: 200, headers: vec![], body: body.to_string(), stall: None }
}

fn status(code: u16, body: &str) -> Canned {
    Canned { status: code, headers: vec![], body: body.into(), stall: None }
}

/// A server that answers each request with the next canned response and records request bodies.
struct Scripted {
    base_url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

async fn serve(script: Vec<Canned>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let body = read_request(&mut sock).await;
            seen.lock().expect("lock").push(body);
            let next = script.lock().expect("lock").pop_front().unwrap_or_else(|| status(500, "script exhausted"));
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
    Scripted { base_url: format!("http://{addr}/v1"), requests }
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
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).into_owned();
            }
        }
    }
    String::new()
}

fn client(base_url: &str, max_retries: u32) -> LlmClient {
    LlmClient::new(LlmConfig {
        base_url: base_url.into(),
        model: "test-model".into(),
        api_key_env: "COPYDESK_LLM_TEST_KEY_THAT_IS_NOT_SET".into(),
        timeout_ms: 2_000,
        max_retries,
        retry_base_ms: 1,
        retry_max_ms: 50,
        ..LlmConfig::default()
    })
    .expect("client")
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_and_then_succeeds() {
    let mut limited = status(429, r#"{"error":{"type":"rate_limit"}}"#);
    limited.headers.push(("retry-after", "0".into()));
    let server = serve(vec![limited, ok("{\"x\":1}")]).await;
    let c = client(&server.base_url, 2);
    let reply = c.chat_json("sys", "user", None).await.expect("second attempt succeeds");
    assert_eq!(reply.content, "{\"x\":1}");
    assert_eq!(server.requests.lock().expect("lock").len(), 2);
    let m = c.metrics().snapshot();
    assert_eq!((m.requests, m.retries, m.errors, m.prompt_tokens, m.completion_tokens), (2, 1, 0, 11, 7));
}

#[tokio::test]
async fn a_429_reports_the_servers_retry_after_when_retries_run_out() {
    let mut limited = status(429, "busy");
    limited.headers.push(("retry-after", "12".into()));
    let server = serve(vec![limited]).await;
    let err = client(&server.base_url, 0).chat_json("s", "u", None).await.expect_err("429");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(12)));
    assert!(err.is_transient());
}

#[tokio::test]
async fn server_errors_are_retried_until_the_retries_run_out() {
    let server = serve(vec![status(502, "bad gateway"), status(503, "down"), status(500, "boom")]).await;
    let c = client(&server.base_url, 2);
    let err = c.chat_json("s", "u", None).await.expect_err("all attempts fail");
    assert!(matches!(err, LlmError::Server { status: 500, .. }), "{err}");
    assert_eq!(server.requests.lock().expect("lock").len(), 3);
    assert_eq!(c.metrics().snapshot().errors, 1);
}

#[tokio::test]
async fn quota_errors_are_not_retried() {
    let quota = status(429, r#"{"error":{"code":"insufficient_quota","message":"You exceeded your current quota"}}"#);
    let server = serve(vec![quota, ok("{}")]).await;
    let err = client(&server.base_url, 3).chat_json("s", "u", None).await.expect_err("quota");
    assert!(matches!(err, LlmError::QuotaExceeded { .. }), "{err}");
    assert_eq!(server.requests.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn a_server_that_stalls_past_the_deadline_is_a_transient_timeout() {
    let mut slow = ok("{}");
    slow.stall = Some(Duration::from_secs(5));
    let server = serve(vec![slow]).await;
    let c = LlmClient::new(LlmConfig {
        base_url: server.base_url.clone(),
        timeout_ms: 200,
        max_retries: 0,
        ..LlmConfig::default()
    })
    .expect("client");
    let err = c.chat_json("s", "u", None).await.expect_err("timeout");
    assert!(matches!(err, LlmError::Timeout { timeout_ms: 200, .. }), "{err}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_body_that_is_not_json_is_retried_then_reported() {
    let server = serve(vec![status(200, "<html>oops</html>"), status(200, "{\"choices\": [")]).await;
    let c = client(&server.base_url, 1);
    let err = c.chat_json("s", "u", None).await.expect_err("garbage");
    assert!(matches!(err, LlmError::BadResponse { .. }), "{err}");
    assert_eq!(server.requests.lock().expect("lock").len(), 2);
}

#[tokio::test]
async fn a_rejected_json_schema_steps_down_the_format_ladder_and_remembers() {
    let reject = status(400, r#"{"error":{"message":"response_format json_schema is not supported"}}"#);
    let server = serve(vec![reject.clone(), reject, ok("{\"a\":1}"), ok("{\"b\":2}")]).await;
    let c = client(&server.base_url, 0);
    let schema = serde_json::json!({"type": "object"});
    assert_eq!(c.chat_json("s", "u", Some(&schema)).await.expect("third rung").content, "{\"a\":1}");
    assert_eq!(c.chat_json("s", "u", Some(&schema)).await.expect("remembered").content, "{\"b\":2}");
    let bodies = server.requests.lock().expect("lock").clone();
    let formats: Vec<serde_json::Value> = bodies
        .iter()
        .map(|b| serde_json::from_str::<serde_json::Value>(b).expect("json body")["response_format"].clone())
        .collect();
    assert_eq!(formats[0]["type"], "json_schema");
    assert_eq!(formats[1]["type"], "json_object");
    assert!(formats[1].get("schema").is_some());
    assert_eq!(formats[2], serde_json::json!({"type": "json_object"}));
    assert_eq!(formats[3], formats[2], "the step down is remembered");
}

#[tokio::test]
async fn other_bad_requests_are_permanent_and_not_retried() {
    let server = serve(vec![status(400, "context length exceeded"), ok("{}")]).await;
    let err = client(&server.base_url, 3).chat_json("s", "u", None).await.expect_err("400");
    assert!(matches!(err, LlmError::BadRequest { status: 400, .. }) && !err.is_transient(), "{err}");
    assert_eq!(server.requests.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_transient_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = client(&format!("http://{addr}/v1"), 0).chat_json("s", "u", None).await.expect_err("refused");
    assert!(matches!(err, LlmError::Connect { .. }) && err.is_transient(), "{err}");
}

#[test]
fn a_malformed_base_url_is_rejected_with_an_example() {
    let err = LlmClient::new(LlmConfig { base_url: "localhost:8080".into(), ..LlmConfig::default() }).expect_err("bad url");
    assert!(err.to_string().contains("http://"), "{err}");
}
