//! A whole pipeline for one test: four worker processes on a private namespace, a temporary
//! inbox and out dir, and a supervisor that restarts a worker that exits (as systemd or
//! Kubernetes would).

use crate::broker::TestNamespace;
use crate::procs::Proc;
use crate::stories;
use copydesk_runtime::config::RetrySettings;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The four worker binaries, in pipeline order.
pub const WORKERS: [&str; 4] = ["ingest-worker", "extract-worker", "summarize-worker", "publish-worker"];

/// A running pipeline.
pub struct Pipeline {
    /// The broker namespace.
    pub ns: TestNamespace,
    /// Temporary root (inbox, out, logs); removed on drop.
    pub dir: tempfile::TempDir,
    /// The drop folder.
    pub inbox: PathBuf,
    /// The publish out dir.
    pub out: PathBuf,
    /// Running workers.
    pub procs: Arc<Mutex<Vec<Proc>>>,
    /// How many times the supervisor restarted a worker.
    pub restarts: Arc<Mutex<Vec<String>>>,
    /// Extra environment for every worker (config overrides for one test).
    extra_env: Vec<(String, String)>,
    supervisor: Option<tokio::task::JoinHandle<()>>,
}

impl Pipeline {
    /// Start the four workers.
    pub async fn start(retry: RetrySettings) -> Pipeline {
        Pipeline::start_with(retry, Vec::new()).await
    }

    /// Start the four workers with extra environment (e.g. `COPYDESK__PUBLISH__WEBHOOK__URL`).
    pub async fn start_with(retry: RetrySettings, extra_env: Vec<(String, String)>) -> Pipeline {
        Pipeline::start_on(vec![crate::broker::amqp_url()], retry, extra_env).await
    }

    /// Start the four workers with extra environment and, when given, a `config/default.toml`
    /// in their working directory (for what environment variables cannot say, such as feeds).
    pub async fn start_with_config(retry: RetrySettings, extra_env: Vec<(String, String)>, config_toml: Option<&str>) -> Pipeline {
        Pipeline::start_on_with_config(vec![crate::broker::amqp_url()], retry, extra_env, config_toml).await
    }

    /// [`Pipeline::start_with`] on a broker of the test's own (one node's URL, or a cluster's
    /// three: see [`TestNamespace::on`]).
    pub async fn start_on(urls: Vec<String>, retry: RetrySettings, extra_env: Vec<(String, String)>) -> Pipeline {
        Pipeline::start_on_with_config(urls, retry, extra_env, None).await
    }

    /// [`Pipeline::start_on`] with an optional `config/default.toml` (see [`Pipeline::start_with_config`]).
    pub async fn start_on_with_config(
        urls: Vec<String>,
        retry: RetrySettings,
        extra_env: Vec<(String, String)>,
        config_toml: Option<&str>,
    ) -> Pipeline {
        let ns = TestNamespace::on(urls, retry).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let (inbox, out) = (dir.path().join("inbox"), dir.path().join("out"));
        std::fs::create_dir_all(dir.path().join("logs")).expect("logs dir");
        if let Some(toml) = config_toml {
            std::fs::create_dir_all(dir.path().join("logs").join("config")).expect("config dir");
            std::fs::write(dir.path().join("logs").join("config").join("default.toml"), toml).expect("config file");
        }
        let mut p = Pipeline { ns, dir, inbox, out, procs: Arc::default(), restarts: Arc::default(), extra_env, supervisor: None };
        for w in WORKERS {
            p.spawn(w);
        }
        p.await_consuming().await;
        p
    }

    /// Wait until every worker logs that it is consuming; a worker that exits first fails the
    /// test at once with its log.
    pub async fn await_consuming(&self) {
        crate::wait::until("every worker to start consuming", std::time::Duration::from_secs(120), || async {
            let mut procs = self.procs.lock().expect("procs");
            for proc in procs.iter_mut() {
                if let Some(status) = proc.exited() {
                    panic!("{} exited at start ({status}):\n{}", proc.name, tail(&proc.log_text()));
                }
            }
            procs.iter().all(|p| p.log_text().contains("consuming")).then_some(())
        })
        .await
    }

    /// Environment for a worker of this pipeline.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = self.ns.env();
        env.extend([
            ("COPYDESK__INGEST__DROP_DIR".to_string(), self.inbox.display().to_string()),
            ("COPYDESK__INGEST__SETTLE_MS".into(), "50".into()),
            ("COPYDESK__INGEST__POLL_INTERVAL_MS".into(), "100".into()),
            ("COPYDESK__PUBLISH__OUT_DIR".into(), self.out.display().to_string()),
            ("COPYDESK__STORE__PATH".into(), self.dir.path().join("state").join("copydesk.db").display().to_string()),
            ("COPYDESK__INGEST__CLAIM_LEASE_SECS".into(), "5".into()),
            ("COPYDESK__STORE__LEASE_SECS".into(), "5".into()),
            ("COPYDESK__WORKER__SHUTDOWN_DEADLINE_SECS".into(), "10".into()),
            // Test stories link to made-up hosts; fetching the pages behind them is tested in
            // copydesk-ingest's article_pages against a local site. A test may turn it back on.
            ("COPYDESK__INGEST__FETCH__ENABLED".into(), "false".into()),
        ]);
        env.extend(self.extra_env.iter().cloned());
        env
    }

    /// Start one more worker process.
    pub fn spawn(&mut self, worker: &str) {
        let proc = Proc::start(worker, &self.env(), &self.dir.path().join("logs"));
        self.procs.lock().expect("procs").push(proc);
    }

    /// Restart any worker that exits, until the pipeline is dropped.
    pub fn supervise(&mut self) {
        let (procs, restarts, env, logs) = (self.procs.clone(), self.restarts.clone(), self.env(), self.dir.path().join("logs"));
        self.supervisor = Some(tokio::spawn(async move {
            loop {
                {
                    let mut list = procs.lock().expect("procs");
                    for proc in list.iter_mut() {
                        if let Some(status) = proc.exited() {
                            restarts.lock().expect("restarts").push(format!("{} exited with {status}", proc.name));
                            *proc = Proc::start(&proc.name.clone(), &env, &logs);
                        }
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }));
    }

    /// Index of the first running process of `worker`.
    pub fn index_of(&self, worker: &str) -> usize {
        self.procs.lock().expect("procs").iter().position(|p| p.name == worker).expect("worker running")
    }

    /// Drop stories `range` into the inbox (written aside, then renamed, as a real feeder would).
    pub fn drop_stories(&self, range: std::ops::Range<usize>) {
        std::fs::create_dir_all(&self.inbox).expect("inbox");
        for i in range {
            self.drop_file(&stories::file_name(i), stories::plain_text(i).as_bytes());
        }
    }

    /// Drop one file into the inbox atomically.
    pub fn drop_file(&self, name: &str, bytes: &[u8]) {
        std::fs::create_dir_all(&self.inbox).expect("inbox");
        let tmp = self.inbox.join(format!(".{name}.part"));
        std::fs::write(&tmp, bytes).expect("write story");
        std::fs::rename(&tmp, self.inbox.join(name)).expect("rename story");
    }

    /// Wait for `n` distinct published events; on timeout, fail with every worker's log and
    /// what the dead-letter queues hold.
    pub async fn await_published(&self, n: usize, timeout: std::time::Duration) -> Vec<copydesk_types::Envelope<copydesk_types::StoryPublished>> {
        match self.ns.try_await_published(n, timeout).await {
            Ok(events) => events,
            Err(message) => {
                let dead = copydesk_runtime::ops::dlq_list(&self.ns.conn, &self.ns.names, None).await.unwrap_or_default();
                let dead: Vec<String> = dead.iter().map(|d| format!("{} {}: {}", d.stage, d.error_class, d.error)).collect();
                panic!("{message}\ndead letters: {dead:#?}\n{}", self.logs());
            }
        }
    }

    /// [`crate::wait::until`] that fails with every worker's log.
    pub async fn until<T, F, Fut>(&self, what: &str, timeout: std::time::Duration, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Ok(Some(value)) = tokio::time::timeout_at(deadline, check()).await {
                return value;
            }
            if tokio::time::Instant::now() >= deadline {
                panic!("timed out after {timeout:?} waiting for {what}\n{}", self.logs());
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Wait until `count()` reaches `target`, failing only when it has not grown for `stall`
    /// (a big batch on a loaded machine may take long, but a stuck one stops moving) or after
    /// `hard_cap` in all. The panic names what was awaited, where the count stopped, and the logs.
    pub async fn until_count(
        &self,
        what: &str,
        target: usize,
        stall: std::time::Duration,
        hard_cap: std::time::Duration,
        mut count: impl FnMut() -> usize,
    ) {
        let started = tokio::time::Instant::now();
        let (mut best, mut moved) = (count(), started);
        loop {
            let now_count = count();
            if now_count >= target {
                return;
            }
            let now = tokio::time::Instant::now();
            if now_count > best {
                (best, moved) = (now_count, now);
            }
            if now - moved >= stall || now - started >= hard_cap {
                panic!(
                    "waiting for {what}: {now_count} of {target} after {:?}, no progress for {:?}\nwork queues: {}\n{}",
                    now - started,
                    now - moved,
                    self.queue_snapshot().await,
                    self.logs()
                );
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Each work queue's ready messages and consumers, as the broker reports them right now (or
    /// why it could not say): tells a queue that stopped delivering from a worker that stopped
    /// handling, when a wait fails.
    pub async fn queue_snapshot(&self) -> String {
        let mut out = Vec::new();
        for stage in copydesk_types::Stage::ALL {
            let queue = self.ns.names.stage_queue(stage);
            let declared = tokio::time::timeout(std::time::Duration::from_secs(10), async {
                let channel = self.ns.conn.create_channel().await?;
                let q = channel
                    .queue_declare(queue.as_str().into(), lapin::options::QueueDeclareOptions { passive: true, ..Default::default() }, lapin::types::FieldTable::default())
                    .await?;
                let _ = channel.close(200, "snapshot".into()).await;
                Ok::<_, lapin::Error>((q.message_count(), q.consumer_count()))
            })
            .await;
            out.push(match declared {
                Ok(Ok((ready, consumers))) => format!("{} {ready} ready, {consumers} consumers", stage.as_str()),
                Ok(Err(e)) => format!("{} unknown ({e})", stage.as_str()),
                Err(_) => format!("{} unknown (no answer in 10 s)", stage.as_str()),
            });
        }
        out.join("; ")
    }

    /// Messages (ready + unacknowledged) in the namespace's work queues and retry tiers (of
    /// `stage` only, if given), as the broker counts them: on `node`, or on the shared broker.
    /// The published log and the dead-letter queues are left out.
    pub async fn in_flight(&self, node: Option<&crate::node::RabbitNode>, stage: Option<copydesk_types::Stage>) -> u64 {
        let prefix = format!("{}.", self.ns.names.namespace);
        let rows = match node {
            Some(node) => node.queue_messages(&prefix).await,
            None => crate::node::shared_queue_messages(&prefix).await,
        };
        let published = self.ns.names.published_queue();
        rows.into_iter()
            .filter(|(name, _)| *name != published && !name.ends_with(".dlq"))
            .filter(|(name, _)| stage.is_none_or(|s| name.starts_with(&self.ns.names.stage_queue(s))))
            .map(|(_, n)| n)
            .sum()
    }

    /// Wait until nothing is in flight and the published log has been read to the end (by an
    /// [`crate::effects::EventTally`]), so side-effect counts are final: a repeat still on its
    /// way would be in a queue.
    pub async fn await_settled(&self, node: Option<&crate::node::RabbitNode>) {
        let timeout = std::time::Duration::from_secs(240);
        // Each check starts a rabbitmqctl (an Erlang VM): poll gently.
        let pause = || tokio::time::sleep(std::time::Duration::from_millis(500));
        self.until("every queue of the namespace to drain", timeout, || async {
            let idle = self.in_flight(node, None).await == 0;
            if !idle {
                pause().await;
            }
            idle.then_some(())
        })
        .await;
        let published = self.ns.names.published_queue();
        self.until("the published log to be read to the end", timeout, || async {
            let rows = match node {
                Some(node) => node.queue_messages(&published).await,
                None => crate::node::shared_queue_messages(&published).await,
            };
            let read = rows.iter().all(|(_, n)| *n == 0);
            if !read {
                pause().await;
            }
            read.then_some(())
        })
        .await;
    }

    /// Published article JSON files (not tombstones), sorted.
    pub fn article_files(&self) -> Vec<PathBuf> {
        files_in(&self.out, |name| name.ends_with(".json") && !name.ends_with(".retracted.json"))
    }

    /// All worker logs, for failure messages.
    pub fn logs(&self) -> String {
        self.procs.lock().expect("procs").iter().map(|p| format!("== {}\n{}", p.name, tail(&p.log_text()))).collect()
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        if let Some(s) = self.supervisor.take() {
            s.abort();
        }
        // Stop the workers before the namespace's queues are deleted (the fields drop after
        // this), so no worker sees its queue vanish and declares it again.
        if let Ok(mut procs) = self.procs.lock() {
            procs.clear();
        }
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n") + "\n"
}

/// Files in `dir` whose names pass `keep`, sorted.
pub fn files_in(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.file_name().is_some_and(|n| keep(&n.to_string_lossy()))).collect())
        .unwrap_or_default();
    out.sort();
    out
}
