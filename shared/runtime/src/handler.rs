//! The handler contract: a stage handler takes a decoded message and returns a result; it never
//! acks or nacks. The runtime maps the result (see [`crate::worker`]).

use crate::publisher::Outgoing;
use copydesk_types::{Envelope, Payload, Stage};
use std::future::Future;
use std::time::Duration;

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

    /// The class name written to the `x-copydesk-error-class` header.
    pub fn class(&self) -> &'static str {
        match self {
            HandlerError::Transient(_) => "transient",
            HandlerError::Permanent(_) => "permanent",
            HandlerError::Defer { .. } => "deferred",
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
}

impl Incoming {
    /// A text header's value.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// What a successful handler produces: messages to publish before the input is acked, and
/// counters for metrics.
#[derive(Debug, Default)]
pub struct Output {
    /// Messages to publish (with confirms) before the input is acked. May be empty.
    pub messages: Vec<Outgoing>,
    /// Items dropped as duplicates while handling (counted in metrics).
    pub duplicates: u64,
}

/// A pipeline stage's logic, wired to the broker by [`crate::worker::run`].
pub trait Handler: Send + Sync + 'static {
    /// The stage; decides the queue consumed and the names in logs and metrics.
    const STAGE: Stage;
    /// The decoded input.
    type Input: Send + 'static;

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
    ) -> impl Future<Output = Result<Output, HandlerError>> + Send;
}

/// A transform stage: one envelope in, one envelope out (extract, summarize, publish).
pub trait Transform: Send + Sync + 'static {
    /// The stage.
    const STAGE: Stage;
    /// Input payload.
    type In: Payload;
    /// Output payload.
    type Out: Payload;

    /// Turn the input payload into the output payload.
    fn apply(&self, input: Self::In) -> impl Future<Output = Result<Self::Out, HandlerError>> + Send;
}

/// Adapts a [`Transform`] into a [`Handler`] publishing its output on the events exchange.
pub struct TransformHandler<T> {
    /// The transform.
    pub transform: T,
    /// The events exchange name.
    pub exchange: String,
}

impl<T: Transform> Handler for TransformHandler<T> {
    const STAGE: Stage = T::STAGE;
    type Input = Envelope<T::In>;

    fn decode(&self, incoming: &Incoming) -> Result<Self::Input, String> {
        Envelope::<T::In>::from_json(&incoming.body).map_err(|e| e.to_string())
    }

    fn describe(&self, input: &Self::Input) -> (String, u64) {
        (input.story_id.clone(), input.story_version)
    }

    async fn handle(&self, input: Self::Input, incoming: &Incoming) -> Result<Output, HandlerError> {
        let out = self.transform.apply(input.payload).await?;
        let envelope = Envelope::new(out, incoming.attempt);
        Ok(Output { messages: vec![Outgoing::event(&self.exchange, &envelope)], duplicates: 0 })
    }
}
