//! Durable writes: the file sink fsyncs each file and then its directory before `deliver`
//! returns (the runtime acks the input only after that). Checked from the outside: this test
//! binary runs itself again under `strace -f -y` and reads the system calls in order. Skipped,
//! with the reason printed, when strace is missing or cannot trace here (`make test` installs it
//! through scripts/ensure-test-tools.sh).

use copydesk_publish::testing::{deliver, stage, summarized};
use copydesk_publish::PublishConfig;
use std::process::Command;

const CHILD: &str = "COPYDESK_FSYNC_CHILD_OUT";
const TEST: &str = "the_file_sink_fsyncs_the_file_and_its_directory_before_deliver_returns";

/// In the traced child: deliver one story, then make a system call the parent can recognise as
/// "deliver has returned" (a stat of a path that does not exist).
async fn child(out: &str) {
    let state = tempfile::tempdir().expect("tmp");
    let s = stage(state.path(), PublishConfig { out_dir: out.into(), ..PublishConfig::default() }).await;
    deliver(&s, &summarized("fsync-story", 1)).await.expect("deliver");
    let _ = std::fs::metadata(format!("{out}/copydesk-deliver-returned-marker"));
}

#[tokio::test]
async fn the_file_sink_fsyncs_the_file_and_its_directory_before_deliver_returns() {
    if let Ok(out) = std::env::var(CHILD) {
        child(&out).await;
        return;
    }
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("{TEST}: skipped: strace is not installed (apt-get install strace; make test installs it)");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out");
    let out = out.canonicalize().expect("canonical out dir");
    let trace = dir.path().join("trace.txt");
    let exe = std::env::current_exe().expect("exe");
    let run = Command::new("strace")
        .args(["-f", "-y", "-qq", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2,newfstatat,statx,stat,lstat", "-o"])
        .arg(&trace)
        .arg(&exe)
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, &out)
        .output()
        .expect("run strace");
    let text = std::fs::read_to_string(&trace).unwrap_or_default();
    if !run.status.success() && text.is_empty() {
        eprintln!("{TEST}: skipped: strace cannot trace here: {}", String::from_utf8_lossy(&run.stderr));
        return;
    }
    assert!(run.status.success(), "the traced child failed: {}\n{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));

    let out_s = out.display().to_string();
    let lines: Vec<&str> = text.lines().collect();
    let at = |pred: &dyn Fn(&str) -> bool| lines.iter().position(|l| pred(l));
    let marker = at(&|l| l.contains("copydesk-deliver-returned-marker")).expect("the child's marker is in the trace");
    // The article JSON renamed into place, and the file fsynced before that rename.
    let rename = at(&|l| l.contains("rename") && l.contains(&format!("{out_s}/")) && l.contains(".json\"") && l.ends_with("= 0"))
        .unwrap_or_else(|| panic!("no rename into {out_s} in the trace:\n{text}"));
    let file_sync = lines[..rename]
        .iter()
        .rposition(|l| (l.contains("fsync(") || l.contains("fdatasync(")) && l.contains(&format!("<{out_s}/")))
        .unwrap_or_else(|| panic!("the file was not fsynced before its rename:\n{text}"));
    // The directory fsynced after the rename, before deliver returned.
    let dir_sync = lines[rename..marker]
        .iter()
        .position(|l| l.contains("fsync(") && l.contains(&format!("<{out_s}>")))
        .unwrap_or_else(|| panic!("the out dir was not fsynced between the rename and deliver returning:\n{text}"));
    assert!(file_sync < rename && rename + dir_sync < marker);
}
