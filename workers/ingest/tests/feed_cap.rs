//! A feed body is read up to `ingest.feeds[].max_bytes` even when the server sends no
//! Content-Length (chunked, endless): the read stops at the cap with a feed error naming the key,
//! instead of growing until the worker runs out of memory.

use copydesk_ingest::feeds::read_capped;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Answers 200 with a chunked body that never ends; counts the bytes it managed to send.
async fn endless_feed() -> (String, std::sync::Arc<std::sync::atomic::AtomicU64>) {
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\ntransfer-encoding: chunked\r\n\r\n";
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let item = "<item><title>again</title></item>".repeat(2000);
                let chunk = format!("{:x}\r\n{item}\r\n", item.len());
                while sock.write_all(chunk.as_bytes()).await.is_ok() {
                    counter.fetch_add(item.len() as u64, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    (format!("http://{addr}/feed.rss"), sent)
}

#[tokio::test]
async fn an_endless_chunked_feed_body_stops_at_the_cap() {
    let (url, _sent) = endless_feed().await;
    let resp = reqwest::get(&url).await.expect("response");
    assert!(resp.content_length().is_none(), "no Content-Length: the cap must hold while reading");
    let limit = 1024 * 1024;
    let err = tokio::time::timeout(Duration::from_secs(60), read_capped(resp, limit))
        .await
        .expect("the read stopped at the cap instead of reading for ever")
        .expect_err("refused");
    assert!(err.0.contains("feeds[].max_bytes") && err.0.contains(&limit.to_string()), "{}", err.0);
    assert!(!err.1, "a body over the cap is not transient");
}
