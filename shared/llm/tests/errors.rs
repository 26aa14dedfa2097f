//! Error handling of `LlmClient` against a scripted local HTTP server.

use copydesk_llm::testing::{ok, serve, status};
use copydesk_llm::{LlmClient, LlmConfig, LlmError};
use std::time::Duration;

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
    let reply = c
        .chat_json("sys", "user", None)
        .await
        .expect("second attempt succeeds");
    assert_eq!(reply.content, "{\"x\":1}");
    assert_eq!(server.requests.lock().expect("lock").len(), 2);
    let m = c.metrics().snapshot();
    assert_eq!(
        (
            m.requests,
            m.retries,
            m.errors,
            m.prompt_tokens,
            m.completion_tokens
        ),
        (2, 1, 0, 11, 7)
    );
}

#[tokio::test]
async fn a_429_reports_the_servers_retry_after_when_retries_run_out() {
    let mut limited = status(429, "busy");
    limited.headers.push(("retry-after", "12".into()));
    let server = serve(vec![limited]).await;
    let err = client(&server.base_url, 0)
        .chat_json("s", "u", None)
        .await
        .expect_err("429");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(12)));
    assert!(err.is_transient());
}

#[tokio::test]
async fn server_errors_are_retried_until_the_retries_run_out() {
    let server = serve(vec![
        status(502, "bad gateway"),
        status(503, "down"),
        status(500, "boom"),
    ])
    .await;
    let c = client(&server.base_url, 2);
    let err = c
        .chat_json("s", "u", None)
        .await
        .expect_err("all attempts fail");
    assert!(matches!(err, LlmError::Server { status: 500, .. }), "{err}");
    assert_eq!(server.requests.lock().expect("lock").len(), 3);
    assert_eq!(c.metrics().snapshot().errors, 1);
}

#[tokio::test]
async fn quota_errors_are_not_retried() {
    let quota = status(
        429,
        r#"{"error":{"code":"insufficient_quota","message":"You exceeded your current quota"}}"#,
    );
    let server = serve(vec![quota, ok("{}")]).await;
    let err = client(&server.base_url, 3)
        .chat_json("s", "u", None)
        .await
        .expect_err("quota");
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
    assert!(
        matches!(
            err,
            LlmError::Timeout {
                timeout_ms: 200,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_body_that_is_not_json_is_retried_then_reported() {
    let server = serve(vec![
        status(200, "<html>oops</html>"),
        status(200, "{\"choices\": ["),
    ])
    .await;
    let c = client(&server.base_url, 1);
    let err = c.chat_json("s", "u", None).await.expect_err("garbage");
    assert!(matches!(err, LlmError::BadResponse { .. }), "{err}");
    assert_eq!(server.requests.lock().expect("lock").len(), 2);
}

#[tokio::test]
async fn a_rejected_json_schema_steps_down_the_format_ladder_and_remembers() {
    let reject = status(
        400,
        r#"{"error":{"message":"response_format json_schema is not supported"}}"#,
    );
    let server = serve(vec![
        reject.clone(),
        reject,
        ok("{\"a\":1}"),
        ok("{\"b\":2}"),
    ])
    .await;
    let c = client(&server.base_url, 0);
    let schema = serde_json::json!({"type": "object"});
    assert_eq!(
        c.chat_json("s", "u", Some(&schema))
            .await
            .expect("third rung")
            .content,
        "{\"a\":1}"
    );
    assert_eq!(
        c.chat_json("s", "u", Some(&schema))
            .await
            .expect("remembered")
            .content,
        "{\"b\":2}"
    );
    let bodies = server.requests.lock().expect("lock").clone();
    let formats: Vec<serde_json::Value> = bodies
        .iter()
        .map(|b| {
            serde_json::from_str::<serde_json::Value>(b).expect("json body")["response_format"]
                .clone()
        })
        .collect();
    assert_eq!(formats[0]["type"], "json_schema");
    assert_eq!(formats[1]["type"], "json_object");
    assert!(formats[1].get("schema").is_some());
    assert_eq!(formats[2], serde_json::json!({"type": "json_object"}));
    assert_eq!(formats[3], formats[2], "the step down is remembered");
}

#[tokio::test]
async fn a_500_that_names_the_response_format_also_steps_down_the_ladder() {
    // What llama-cpp-python's server answers to "json_schema".
    let reject = status(
        500,
        r#"{"error":{"message":"1 validation error: ('body', 'response_format', 'type') Input should be 'text' or 'json_object'"}}"#,
    );
    let server = serve(vec![reject, ok("{\"c\":3}")]).await;
    let schema = serde_json::json!({"type": "object"});
    let reply = client(&server.base_url, 0)
        .chat_json("s", "u", Some(&schema))
        .await
        .expect("second rung");
    assert_eq!(reply.content, "{\"c\":3}");
    assert_eq!(server.requests.lock().expect("lock").len(), 2);
}

#[tokio::test]
async fn other_bad_requests_are_permanent_and_not_retried() {
    let server = serve(vec![status(400, "context length exceeded"), ok("{}")]).await;
    let err = client(&server.base_url, 3)
        .chat_json("s", "u", None)
        .await
        .expect_err("400");
    assert!(
        matches!(err, LlmError::BadRequest { status: 400, .. }) && !err.is_transient(),
        "{err}"
    );
    assert_eq!(server.requests.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_transient_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = client(&format!("http://{addr}/v1"), 0)
        .chat_json("s", "u", None)
        .await
        .expect_err("refused");
    assert!(
        matches!(err, LlmError::Connect { .. }) && err.is_transient(),
        "{err}"
    );
}

#[test]
fn a_malformed_base_url_is_rejected_with_an_example() {
    let err = LlmClient::new(LlmConfig {
        base_url: "localhost:8080".into(),
        ..LlmConfig::default()
    })
    .expect_err("bad url");
    assert!(err.to_string().contains("http://"), "{err}");
}

/// A server that answers 200 and then sends body bytes for ever, without a Content-Length.
async fn endless_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "a".repeat(64 * 1024));
                while sock.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn an_endless_response_body_is_refused_at_the_cap_not_read_into_memory() {
    let base = endless_server().await;
    let c = LlmClient::new(LlmConfig {
        base_url: base,
        model: "m".into(),
        api_key_env: "COPYDESK_LLM_TEST_KEY_THAT_IS_NOT_SET".into(),
        timeout_ms: 120_000,
        max_retries: 0,
        max_response_bytes: 1024 * 1024,
        ..LlmConfig::default()
    })
    .expect("client");
    let started = std::time::Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(60), c.chat_json("sys", "user", None))
        .await
        .expect("the client gave up at the cap instead of reading on")
        .expect_err("refused");
    assert!(matches!(err, LlmError::TooLarge { limit: 1_048_576 }), "{err}");
    assert!(err.to_string().contains("llm.max_response_bytes"), "{err}");
    eprintln!("refused after {:?}", started.elapsed());
}

#[test]
fn every_request_carries_a_default_max_tokens() {
    assert_eq!(LlmConfig::default().max_tokens, Some(2048));
    assert!(LlmConfig::default().max_response_bytes <= 16 * 1024 * 1024);
}
