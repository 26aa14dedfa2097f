//! The drop folder end to end, with an in-memory sink.

mod support;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use copydesk_ingest::{run_drop_folder, DedupStore, IngestConfig, IngestStats};
use support::{wait_until, MemorySink};
use tokio_util::sync::CancellationToken;

struct Harness {
    dir: tempfile::TempDir,
    sink: Arc<MemorySink>,
    stats: Arc<IngestStats>,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

fn start() -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = IngestConfig {
        drop_dir: dir.path().to_path_buf(),
        poll_interval_ms: 20,
        settle_ms: 0,
        ..IngestConfig::default()
    };
    let dedup = Arc::new(Mutex::new(DedupStore::open(&cfg.dedup_path(), 100).expect("dedup")));
    let sink = Arc::new(MemorySink::default());
    let stats = Arc::new(IngestStats::default());
    let cancel = CancellationToken::new();
    let (s, st, c) = (sink.clone(), stats.clone(), cancel.clone());
    let task = tokio::spawn(async move {
        run_drop_folder(&cfg, s, dedup, c, st).await.expect("drop folder runs");
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
    async fn stop(self) {
        self.cancel.cancel();
        self.task.await.expect("task ends cleanly");
    }
}

#[tokio::test]
async fn a_dropped_story_is_submitted_and_the_file_moved_to_done() {
    let h = start();
    drop_file(h.dir.path(), "quake.txt", b"Quake shakes city\n\nA strong earthquake shook the city on Monday.\n");
    let done = h.dir.path().join(".done/quake.txt");
    wait_until("file moved to .done", || done.exists()).await;
    let stories = h.sink.taken();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].headline, "Quake shakes city");
    assert_eq!(h.stats.files_done.load(Ordering::Relaxed), 1);
    h.stop().await;
}

#[tokio::test]
async fn a_bad_file_goes_to_failed_with_a_reason_and_the_worker_keeps_going() {
    let h = start();
    drop_file(h.dir.path(), "broken.xml", b"<nitf><head><title>x</head></nitf>");
    drop_file(h.dir.path(), "good.txt", b"Headline\n\nBody text here.");
    let reason = h.dir.path().join(".failed/broken.xml.reason");
    let good = h.dir.path().join(".done/good.txt");
    wait_until("bad file failed and good file done", || reason.exists() && good.exists()).await;
    let text = std::fs::read_to_string(&reason).expect("reason");
    assert!(text.contains("broken.xml") && text.contains("malformed"), "{text}");
    assert!(h.dir.path().join(".failed/broken.xml").exists());
    assert_eq!(h.stats.files_failed.load(Ordering::Relaxed), 1);
    h.stop().await;
}

#[tokio::test]
async fn the_same_story_dropped_twice_is_counted_as_a_duplicate() {
    let h = start();
    let body = b"Same story\n\nIdentical text in both files.";
    drop_file(h.dir.path(), "one.txt", body);
    wait_until("first file done", || h.dir.path().join(".done/one.txt").exists()).await;
    drop_file(h.dir.path(), "two.txt", body);
    wait_until("second file done", || h.dir.path().join(".done/two.txt").exists()).await;
    assert_eq!(h.sink.taken().len(), 1);
    assert_eq!(h.stats.duplicates.load(Ordering::Relaxed), 1);
    h.stop().await;
}

#[tokio::test]
async fn a_sink_failure_leaves_the_file_in_place_until_the_sink_recovers() {
    let h = start();
    h.sink.failing.store(true, Ordering::SeqCst);
    drop_file(h.dir.path(), "wait.txt", b"Held story\n\nIt waits for the broker.");
    wait_until("a failed submit", || h.stats.files_retried.load(Ordering::Relaxed) >= 1).await;
    assert!(h.dir.path().join("wait.txt").exists(), "file stays in the drop folder");
    assert!(h.sink.taken().is_empty());
    h.sink.failing.store(false, Ordering::SeqCst);
    wait_until("file done after recovery", || h.dir.path().join(".done/wait.txt").exists()).await;
    assert_eq!(h.sink.taken().len(), 1);
    h.stop().await;
}

#[tokio::test]
async fn partial_files_are_ignored() {
    let h = start();
    std::fs::write(h.dir.path().join("still-copying.part"), b"Head\n\nBody").expect("write");
    drop_file(h.dir.path(), "real.txt", b"Real\n\nA real story.");
    wait_until("real file done", || h.dir.path().join(".done/real.txt").exists()).await;
    assert!(h.dir.path().join("still-copying.part").exists());
    assert_eq!(h.sink.taken().len(), 1);
    h.stop().await;
}
