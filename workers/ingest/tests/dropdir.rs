//! The drop folder end to end, with an in-memory delivery and a real SQLite store.

mod support;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use copydesk_ingest::{run_drop_folder, IngestConfig, IngestStats};
use support::{wait_until, MemoryDeliver};
use tokio_util::sync::CancellationToken;

struct Harness {
    dir: tempfile::TempDir,
    sink: Arc<MemoryDeliver>,
    stats: Arc<IngestStats>,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

async fn start() -> Harness {
    start_with(20).await
}

async fn start_with(poll_interval_ms: u64) -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = IngestConfig { drop_dir: dir.path().join("inbox"), poll_interval_ms, settle_ms: 0, ..IngestConfig::default() };
    std::fs::create_dir_all(&cfg.drop_dir).expect("inbox");
    let (stage, stats) = support::stage(dir.path(), cfg).await;
    let sink = Arc::new(MemoryDeliver::default());
    let cancel = CancellationToken::new();
    let (s, c) = (sink.clone(), cancel.clone());
    let task = tokio::spawn(async move {
        run_drop_folder(stage, s, "replica-a".into(), c).await.expect("drop folder runs");
    });
    Harness { dir, sink, stats, cancel, task }
}

fn drop_file(dir: &Path, name: &str, bytes: &[u8]) {
    // Write beside, then rename: the way producers are told to deliver.
    let tmp = dir.join(format!("{name}.tmp"));
    std::fs::write(&tmp, bytes).expect("write");
    std::fs::rename(&tmp, dir.join(name)).expect("rename");
}

impl Harness {
    fn inbox(&self) -> std::path::PathBuf {
        self.dir.path().join("inbox")
    }

    async fn stop(self) {
        self.cancel.cancel();
        self.task.await.expect("task ends cleanly");
    }
}

#[tokio::test]
async fn a_dropped_story_is_submitted_and_the_file_moved_to_done() {
    let h = start().await;
    drop_file(&h.inbox(), "quake.txt", b"Quake shakes city\n\nA strong earthquake shook the city on Monday.\n");
    let done = h.inbox().join(".done/quake.txt");
    wait_until("file moved to .done", || done.exists()).await;
    let stories = h.sink.taken();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].headline, "Quake shakes city");
    assert_eq!(h.stats.files_done.load(Ordering::Relaxed), 1);
    h.stop().await;
}

#[tokio::test]
async fn a_bad_file_goes_to_failed_with_a_reason_and_the_worker_keeps_going() {
    let h = start().await;
    drop_file(&h.inbox(), "broken.xml", b"<nitf><head><title>x</head></nitf>");
    drop_file(&h.inbox(), "good.txt", b"Headline\n\nBody text here.");
    let reason = h.inbox().join(".failed/broken.xml.reason");
    let good = h.inbox().join(".done/good.txt");
    wait_until("bad file failed and good file done", || reason.exists() && good.exists()).await;
    let text = std::fs::read_to_string(&reason).expect("reason");
    assert!(text.contains("broken.xml") && text.contains("malformed"), "{text}");
    assert!(h.inbox().join(".failed/broken.xml").exists());
    assert_eq!(h.stats.files_failed.load(Ordering::Relaxed), 1);
    h.stop().await;
}

#[tokio::test]
async fn the_same_story_dropped_twice_is_counted_as_a_duplicate() {
    let h = start().await;
    let body = b"Same story\n\nIdentical text in both files.";
    drop_file(&h.inbox(), "one.txt", body);
    wait_until("first file done", || h.inbox().join(".done/one.txt").exists()).await;
    drop_file(&h.inbox(), "two.txt", body);
    wait_until("second file done", || h.inbox().join(".done/two.txt").exists()).await;
    assert_eq!(h.sink.taken().len(), 1);
    assert_eq!(h.stats.duplicates.load(Ordering::Relaxed), 1);
    h.stop().await;
}

#[tokio::test]
async fn a_sink_failure_leaves_the_file_in_place_until_the_sink_recovers() {
    let h = start().await;
    h.sink.failing.store(true, Ordering::SeqCst);
    drop_file(&h.inbox(), "wait.txt", b"Held story\n\nIt waits for the broker.");
    wait_until("a failed submit", || h.stats.files_retried.load(Ordering::Relaxed) >= 1).await;
    assert!(h.inbox().join("wait.txt").exists(), "file stays in the drop folder");
    assert!(h.sink.taken().is_empty());
    h.sink.failing.store(false, Ordering::SeqCst);
    wait_until("file done after recovery", || h.inbox().join(".done/wait.txt").exists()).await;
    assert_eq!(h.sink.taken().len(), 1);
    h.stop().await;
}

#[tokio::test]
async fn a_broker_lost_mid_document_is_retried_without_republishing_what_was_confirmed() {
    let h = start().await;
    *h.sink.confirm_only.lock().expect("lock") = Some(1);
    let feed = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>First item</title><guid>w-1</guid><description>The first story body.</description></item>
<item><title>Second item</title><guid>w-2</guid><description>The second story body.</description></item>
<item><title>Third item</title><guid>w-3</guid><description>The third story body.</description></item>
</channel></rss>"#;
    drop_file(&h.inbox(), "wire.xml", feed.as_bytes());
    wait_until("a partial delivery", || h.stats.files_retried.load(Ordering::Relaxed) >= 1).await;
    *h.sink.confirm_only.lock().expect("lock") = None;
    wait_until("the file done", || h.inbox().join(".done/wire.xml").exists()).await;
    let guids: Vec<String> = h.sink.taken().into_iter().map(|s| s.guid).collect();
    assert_eq!(guids, ["w-1", "w-2", "w-3"], "w-1 was confirmed on the first pass and not sent again");
    h.stop().await;
}

#[tokio::test]
async fn an_idle_drop_folder_does_not_rescan_in_a_loop() {
    // A long poll interval: once the burst is handled, only file-system events may wake the
    // scanner, and reading files or listing the folder must not count as one.
    let h = start_with(60_000).await;
    for i in 0..20 {
        drop_file(&h.inbox(), &format!("s{i}.txt"), format!("Story {i}\n\nBody of story {i}.").as_bytes());
    }
    wait_until("the burst handled", || h.stats.files_done.load(Ordering::Relaxed) == 20).await;
    let before = h.stats.snapshot().drop_scans;
    // Measure, idle, over a fixed window (not a synchronisation: a spinning scanner does
    // hundreds of scans in it, a quiet one at most the few events that were still in flight).
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let scans = h.stats.snapshot().drop_scans - before;
    assert!(scans <= 3, "{scans} scans of an idle folder in one second");
    h.stop().await;
}

#[tokio::test]
async fn partial_files_are_ignored() {
    let h = start().await;
    std::fs::write(h.inbox().join("still-copying.part"), b"Head\n\nBody").expect("write");
    drop_file(&h.inbox(), "real.txt", b"Real\n\nA real story.");
    wait_until("real file done", || h.inbox().join(".done/real.txt").exists()).await;
    assert!(h.inbox().join("still-copying.part").exists());
    assert_eq!(h.sink.taken().len(), 1);
    h.stop().await;
}
