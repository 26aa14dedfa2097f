//! Test harness for Copydesk's integration tests and end-to-end benchmark.
//!
//! Every test gets its own randomly named namespace (so its exchange and queues never meet
//! another test's) and its own temporary inbox and out dir; the worker binaries run as real
//! child processes against the real RabbitMQ. Layout:
//! - [`broker`]: namespaces, connections, cleanup, publishing and awaiting events.
//! - [`procs`]: starting, killing and stopping worker processes.
//! - [`stories`]: deterministic synthetic news stories.
//! - [`wait`]: polling a condition until a deadline (never a bare sleep).
//! - [`hostile`]: injection vectors in five wire formats, and scanners for what comes out.
//! - [`node`]: RabbitMQ nodes and a three-node cluster of a test's own, to stop, restart and kill.
//! - [`effects`]: side effects counted per (story, version): webhook deliveries, published events.

pub mod broker;
pub mod effects;
pub mod hostile;
pub mod node;
pub mod pipeline;
pub mod procs;
pub mod stories;
pub mod wait;
