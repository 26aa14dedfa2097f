//! RabbitMQ nodes of a test's own, for tests that stop, restart or kill a broker: started with
//! `scripts/rabbit-node.sh` / `scripts/cluster-up.sh` under `target/rabbit-nodes`, with random
//! names and free ports, and removed when dropped. The machine's shared RabbitMQ on 5672 (which
//! other tests use at the same time) is never stopped.

use std::path::PathBuf;
use std::process::Command;

/// The repository's `scripts/` directory.
pub fn scripts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts")
}

/// `scripts/<name>`, killed if it has not finished within three minutes (a broker that hangs
/// must fail the test, not leave a CLI process waiting forever).
fn script(name: &str) -> Command {
    bounded(&scripts_dir().join(name).display().to_string())
}

/// `program` under coreutils `timeout`.
fn bounded(program: &str) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.args(["-k", "10", "180", program]);
    cmd
}

/// Run a command to completion off the async runtime; panic with its output if it fails.
async fn run(mut command: Command, what: &str) -> String {
    let what = what.to_string();
    tokio::task::spawn_blocking(move || {
        let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(out.status.success(), "{what} failed ({}):\n{}\n{}", out.status, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
    .await
    .expect("blocking task")
}

/// A port nobody listens on, with `offset` more free after it and the distribution port
/// (+20000) of each free too. Picked at random in 12000..15000, so the distribution ports
/// (32000..35000) stay clear of the CLI tools' own (35672..35682).
pub fn free_ports(count: u16) -> u16 {
    let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
    for _ in 0..200 {
        let base = rand::random_range(12_000..15_000u16);
        if (0..count).all(|k| free(base + k) && free(base + k + 20_000)) {
            return base;
        }
    }
    panic!("no free port range for an extra RabbitMQ node");
}

/// One extra RabbitMQ node (`<name>@localhost`).
pub struct RabbitNode {
    /// Node name without the host.
    pub name: String,
    /// AMQP port on 127.0.0.1.
    pub port: u16,
    /// Remove the node's data when dropped (false for the members of a [`Cluster`], which
    /// removes them itself).
    owned: bool,
}

impl RabbitNode {
    /// Start a standalone node with a random name on free ports; waits until it has booted.
    pub async fn start() -> RabbitNode {
        let name = format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        let port = free_ports(1);
        let mut cmd = script("rabbit-node.sh");
        cmd.args(["start", &name, &port.to_string(), &(port + 20_000).to_string()]);
        run(cmd, &format!("scripts/rabbit-node.sh start {name}")).await;
        RabbitNode { name, port, owned: true }
    }

    /// `amqp://guest:guest@127.0.0.1:<port>/%2f`.
    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }

    /// `rabbitmqctl -n <node> args...`; its stdout.
    pub async fn ctl(&self, args: &[&str]) -> String {
        let mut cmd = script("rabbit-node.sh");
        cmd.arg("ctl").arg(&self.name).args(args);
        run(cmd, &format!("rabbitmqctl -n {} {}", self.name, args.join(" "))).await
    }

    /// Stop the RabbitMQ application (connections dropped, listeners closed; the VM stays).
    pub async fn stop_app(&self) {
        self.ctl(&["-q", "stop_app"]).await;
    }

    /// Start the application again; returns once it has booted.
    pub async fn start_app(&self) {
        self.ctl(&["-q", "start_app"]).await;
        self.ctl(&["-q", "await_startup"]).await;
    }

    /// The OS pid of the node's Erlang VM.
    pub async fn pid(&self) -> u32 {
        let mut cmd = script("rabbit-node.sh");
        cmd.args(["pid", &self.name]);
        run(cmd, "rabbit-node.sh pid").await.trim().parse().expect("beam pid")
    }

    /// `kill -9` the node's Erlang VM: a crashed broker.
    pub async fn kill9(&self) -> u32 {
        let pid = self.pid().await;
        let mut cmd = script("rabbit-node.sh");
        cmd.args(["kill", &self.name]);
        run(cmd, "rabbit-node.sh kill").await;
        pid
    }

    /// Messages (ready + unacknowledged) per queue whose name starts with `prefix`.
    pub async fn queue_messages(&self, prefix: &str) -> Vec<(String, u64)> {
        let out = self.ctl(&["-q", "list_queues", "name", "messages", "--formatter", "json"]).await;
        parse_queue_messages(&out, prefix)
    }

    /// Connections to this node whose client-given name contains `part`. `list_connections`
    /// covers the whole cluster, so they are told apart by the server port they reached.
    pub async fn connections_named(&self, part: &str) -> usize {
        let out = self.ctl(&["-q", "list_connections", "port", "client_properties", "--formatter", "json"]).await;
        let rows: Vec<serde_json::Value> = serde_json::from_str(out.trim()).unwrap_or_default();
        rows.iter().filter(|r| r["port"].as_u64() == Some(u64::from(self.port)) && r.to_string().contains(part)).count()
    }
}

/// [`RabbitNode::queue_messages`] on the machine's shared broker (read only: `rabbitmqctl
/// list_queues`, which the tests use for nothing else).
pub async fn shared_queue_messages(prefix: &str) -> Vec<(String, u64)> {
    let mut cmd = bounded("rabbitmqctl");
    cmd.args(["-q", "list_queues", "name", "messages", "--formatter", "json", "--timeout", "60"]);
    parse_queue_messages(&run(cmd, "rabbitmqctl list_queues").await, prefix)
}

/// Parse `rabbitmqctl list_queues name messages --formatter json`.
pub fn parse_queue_messages(json: &str, prefix: &str) -> Vec<(String, u64)> {
    let rows: Vec<serde_json::Value> = serde_json::from_str(json.trim()).unwrap_or_default();
    rows.iter()
        .filter_map(|r| Some((r["name"].as_str()?.to_string(), r["messages"].as_u64().unwrap_or(0))))
        .filter(|(name, _)| name.starts_with(prefix))
        .collect()
}

impl Drop for RabbitNode {
    fn drop(&mut self) {
        if self.owned {
            let _ = script("rabbit-node.sh").args(["remove", &self.name]).output();
        }
    }
}

/// Three nodes joined into one cluster (`scripts/cluster-up.sh`), removed when dropped.
pub struct Cluster {
    /// The three nodes, the first being the one the others joined.
    pub nodes: Vec<RabbitNode>,
    prefix: String,
}

impl Cluster {
    /// Start three nodes on free ports and join them; returns once the cluster runs.
    pub async fn start() -> Cluster {
        let prefix = format!("c{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let base = free_ports(3);
        let mut cmd = script("cluster-up.sh");
        cmd.args([&prefix, &base.to_string()]);
        let cluster = Cluster {
            nodes: (0..3).map(|i| RabbitNode { name: format!("{prefix}-{}", i + 1), port: base + i, owned: false }).collect(),
            prefix: prefix.clone(),
        };
        run(cmd, "scripts/cluster-up.sh").await;
        cluster
    }

    /// The three AMQP URLs, in node order.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RabbitNode::url).collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = script("cluster-down.sh").arg(&self.prefix).output();
    }
}
