//! The handler contract: a stage handler takes a decoded message and returns a result; it never
//! acks, nacks or publishes. The runtime maps the result (see [`crate::settle`]), publishes the
//! outputs, and hands the receipts of the confirmed ones back ([`Handler::confirmed`]) before it
//! acks the input.

use crate::publisher::Outgoing;
use copydesk_types::{Envelope, Payload, Stage};
use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How a handler failed, which decides what the runtime does with the message.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Might work later (a timeout, an unreachable service, a full disk): retried with backoff,
    /// then dead-lettered when the attempts run out.
    #[error("{0}")]
    Transient(String),
    /// Will never work as it is (invalid content): dead-lettered at once.
    #[error("{0}")]
    Permanent(String),
    /// Not yet (an embargo): put back for `after`, without counting an attempt.
    #[error("deferred for {after:?}: {reason}")]
    Defer {
        /// How long to wait.
        after: Duration,
        /// Why, for the logs.
        reason: String,
    },
    /// The worker is stopping: the handler stopped at a safe point before its next side effect
    /// ([`Incoming::stopping`]); the message goes back to the queue unsettled.
    #[error("interrupted: the worker is stopping")]
    Interrupted,
}

impl HandlerError {
    /// Transient or permanent, as the engine's own error says.
    pub fn classify(transient: bool, message: impl std::fmt::Display) -> Self {
        if transient {
            HandlerError::Transient(message.to_string())
        } else {
            HandlerError::Permanent(message.to_string())
        }
    }
}

/// A delivery as the handler sees it: body and the few properties a handler may need.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Body bytes.
    pub body: Vec<u8>,
    /// AMQP `type` property.
    pub type_name: Option<String>,
    /// Text headers (file name of raw documents and the like).
    pub headers: Vec<(String, String)>,
    /// Which attempt this is, 1 on first delivery.
    pub attempt: u32,
    /// True when the broker redelivered it (a worker died holding it).
    pub redelivered: bool,
    /// Cancelled when the shutdown deadline has passed: a handler checks [`Incoming::stopping`]
    /// before each side effect (a file write, an HTTP call) and returns
    /// [`HandlerError::Interrupted`] instead of starting it.
    pub stop: CancellationToken,
}

impl Incoming {
    /// An incoming message built by hand (tests, `copydesk process`).
    pub fn new(body: Vec<u8>) -> Incoming {
        Incoming { body, type_name: None, headers: Vec::new(), attempt: 1, redelivered: false, stop: CancellationToken::new() }
    }

    /// A text header's value.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// True once the worker must stop starting side effects.
    pub fn stopping(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// `Err(Interrupted)` once the worker must stop starting side effects: `incoming.checkpoint()?`
    /// before each one.
    pub fn checkpoint(&self) -> Result<(), HandlerError> {
        if self.stopping() {
            Err(HandlerError::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// One message a handler wants published, and what it wants to hear back once the broker has
/// confirmed it (for example the story to record as seen).
#[derive(Debug)]
pub struct Emit<R> {
    /// The message.
    pub message: Outgoing,
    /// Returned to [`Handler::confirmed`] once the message is confirmed.
    pub receipt: Option<R>,
}

/// What a successful handler produces: messages to publish before the input is acked, and
/// counters for metrics.
#[derive(Debug)]
pub struct Output<R = ()> {
    /// Messages to publish (with confirms) before the input is acked. May be empty.
    pub emits: Vec<Emit<R>>,
    /// Items dropped as duplicates while handling (counted in metrics).
    pub duplicates: u64,
}

impl<R> Default for Output<R> {
    fn default() -> Self {
        Output { emits: Vec::new(), duplicates: 0 }
    }
}

impl<R> Output<R> {
    /// Nothing to publish.
    pub fn none() -> Self {
        Output::default()
    }

    /// One message, no receipt.
    pub fn message(message: Outgoing) -> Self {
        Output { emits: vec![Emit { message, receipt: None }], duplicates: 0 }
    }

    /// Add a message with its receipt.
    pub fn push(&mut self, message: Outgoing, receipt: Option<R>) {
        self.emits.push(Emit { message, receipt });
    }
}

/// A pipeline stage's logic, wired to the broker by [`crate::worker::consume`].
pub trait Handler: Send + Sync + 'static {
    /// The stage; decides the queue consumed and the names in logs and metrics.
    const STAGE: Stage;
    /// The decoded input.
    type Input: Send + 'static;
    /// What the handler wants back for each confirmed output (`()` when nothing).
    type Receipt: Send + 'static;

    /// Decode a delivery. An `Err` means the message can never be handled: it is dead-lettered
    /// as `undecodable` with this reason.
    fn decode(&self, incoming: &Incoming) -> Result<Self::Input, String>;

    /// Story id and version of a decoded input, for logs and DLQ listings.
    fn describe(&self, input: &Self::Input) -> (String, u64);

    /// Do the work.
    fn handle(
        &self,
        input: Self::Input,
        incoming: &Incoming,
    ) -> impl Future<Output = Result<Output<Self::Receipt>, HandlerError>> + Send;

    /// The receipts of the outputs the broker confirmed, called before the input is acked (also
    /// when only some were confirmed, so a retry does not publish them again). An error retries
    /// the input.
    fn confirmed(&self, receipts: Vec<Self::Receipt>) -> impl Future<Output = Result<(), HandlerError>> + Send {
        drop(receipts);
        async { Ok(()) }
    }
}

/// A transform stage: one envelope in, one envelope out (extract, summarize, publish).
pub trait Transform: Send + Sync + 'static {
    /// The stage.
    const STAGE: Stage;
    /// Input payload.
    type In: Payload;
    /// Output payload.
    type Out: Payload;

    /// Turn the input payload into the output payload. (A stage with side effects implements
    /// [`Handler`] itself, to check [`Incoming::checkpoint`] and use receipts.)
    fn apply(&self, input: Self::In) -> impl Future<Output = Result<Self::Out, HandlerError>> + Send;
}

/// Adapts a [`Transform`] into a [`Handler`] publishing its output on the events exchange.
pub struct TransformHandler<T> {
    transform: T,
    exchange: String,
}

impl<T> TransformHandler<T> {
    /// A handler publishing `transform`'s outputs on `exchange`.
    pub fn new(transform: T, exchange: String) -> Self {
        TransformHandler { transform, exchange }
    }

    /// The transform.
    pub fn transform(&self) -> &T {
        &self.transform
    }
}

impl<T: Transform> Handler for TransformHandler<T> {
    const STAGE: Stage = T::STAGE;
    type Input = Envelope<T::In>;
    type Receipt = ();

    fn decode(&self, incoming: &Incoming) -> Result<Self::Input, String> {
        Envelope::<T::In>::from_json(&incoming.body).map_err(|e| e.to_string())
    }

    fn describe(&self, input: &Self::Input) -> (String, u64) {
        (input.story_id.clone(), input.story_version)
    }

    async fn handle(&self, input: Self::Input, incoming: &Incoming) -> Result<Output, HandlerError> {
        let out = self.transform.apply(input.payload).await?;
        let envelope = Envelope::new(out, incoming.attempt);
        Ok(Output::message(Outgoing::event(&self.exchange, &envelope)))
    }
}
