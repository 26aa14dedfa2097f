//! Settlement as a pure function: what happens to a delivery once its handler is done, and once
//! publishing what replaces it succeeded or failed. The consume loop only carries these
//! verdicts out; every rule lives here, with unit tests.

use crate::broker::BrokerError;
use crate::config::RetrySettings;
use crate::handler::HandlerError;
use crate::retry::{decide, RetryDecision};
use std::time::Duration;

/// Why a message was dead-lettered; written to the `x-copydesk-error-class` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The handler said it will never work as it is.
    Permanent,
    /// The body could not be decoded as the stage's input.
    Undecodable,
    /// The handler panicked.
    Panic,
    /// A transient failure that did not go away within `retry.max_attempts`.
    RetriesExhausted,
    /// The broker refused the output (unroutable, or nacked): an operator must act.
    OutputRejected,
    /// An output is larger than `amqp.max_message_bytes`.
    TooLarge,
}

impl ErrorClass {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Permanent => "permanent",
            ErrorClass::Undecodable => "undecodable",
            ErrorClass::Panic => "panic",
            ErrorClass::RetriesExhausted => "retries-exhausted",
            ErrorClass::OutputRejected => "output-rejected",
            ErrorClass::TooLarge => "too-large",
        }
    }
}

/// How a handler run ended, as the consume loop saw it.
#[derive(Debug)]
pub enum HandlerOutcome {
    /// It returned outputs.
    Done,
    /// It returned an error.
    Failed(HandlerError),
    /// The body could not be decoded.
    Undecodable(String),
    /// It panicked (with the panic message).
    Panicked(String),
    /// The worker is stopping and the handler was interrupted before it finished.
    Interrupted,
}

/// What the runtime does with a delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Publish the outputs, wait for their confirms, then ack.
    Publish,
    /// Republish to a retry tier with the attempt counted, then ack.
    Retry {
        /// How long to wait.
        delay: Duration,
        /// The attempt number the copy carries.
        next_attempt: u32,
        /// Why, for the log.
        reason: String,
    },
    /// Republish to a retry tier without counting an attempt (an embargo), then ack.
    Defer {
        /// How long to wait.
        delay: Duration,
        /// Why, for the log.
        reason: String,
    },
    /// Publish to the dead-letter queue with the reason, then ack.
    DeadLetter {
        /// The class.
        class: ErrorClass,
        /// The reason.
        reason: String,
    },
    /// Give the delivery back to the broker unsettled (nack with requeue): nothing was lost
    /// and nothing counted; the broker redelivers it (its delivery limit still applies).
    Requeue {
        /// Why, for the log.
        reason: String,
    },
}

/// The verdict for a handler outcome on attempt `attempt`.
pub fn after_handler(outcome: HandlerOutcome, attempt: u32, retry: &RetrySettings) -> Verdict {
    match outcome {
        HandlerOutcome::Done => Verdict::Publish,
        HandlerOutcome::Failed(HandlerError::Transient(reason)) => match decide(retry, attempt) {
            RetryDecision::RetryAfter { delay, next_attempt } => Verdict::Retry { delay, next_attempt, reason },
            RetryDecision::GiveUp => Verdict::DeadLetter {
                class: ErrorClass::RetriesExhausted,
                reason: format!("gave up after {attempt} attempts: {reason}"),
            },
        },
        HandlerOutcome::Failed(HandlerError::Permanent(reason)) => Verdict::DeadLetter { class: ErrorClass::Permanent, reason },
        HandlerOutcome::Failed(HandlerError::Defer { after, reason }) => Verdict::Defer { delay: after, reason },
        HandlerOutcome::Failed(HandlerError::Interrupted) | HandlerOutcome::Interrupted => {
            Verdict::Requeue { reason: "the worker is stopping; the message goes back to the queue unsettled".into() }
        }
        HandlerOutcome::Undecodable(reason) => Verdict::DeadLetter { class: ErrorClass::Undecodable, reason },
        HandlerOutcome::Panicked(message) => Verdict::DeadLetter { class: ErrorClass::Panic, reason: format!("handler panicked: {message}") },
    }
}

/// The verdict when publishing what a verdict asked for failed with `error`. A broker that is
/// unavailable (a connection that did not come back in time) is transient: the delivery goes
/// back unsettled. A broker that refused the output dead-letters the input, unless what it
/// refused was the dead letter itself, which then goes back unsettled too.
pub fn after_publish_failure(failed: &Verdict, error: &BrokerError) -> Verdict {
    let dead_lettering = matches!(failed, Verdict::DeadLetter { .. });
    match error {
        BrokerError::TooLarge { .. } if !dead_lettering => Verdict::DeadLetter { class: ErrorClass::TooLarge, reason: error.to_string() },
        BrokerError::Rejected(reason) if !dead_lettering => Verdict::DeadLetter { class: ErrorClass::OutputRejected, reason: reason.clone() },
        _ => Verdict::Requeue { reason: format!("could not publish ({error}); the broker keeps the message") },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetrySettings {
        RetrySettings { max_attempts: 3, initial_delay_ms: 100, max_delay_ms: 1000 }
    }

    #[test]
    fn a_transient_failure_is_retried_until_the_attempts_run_out() {
        let retry = |attempt| after_handler(HandlerOutcome::Failed(HandlerError::Transient("busy".into())), attempt, &policy());
        assert!(matches!(retry(1), Verdict::Retry { next_attempt: 2, .. }));
        assert!(matches!(retry(2), Verdict::Retry { next_attempt: 3, .. }));
        assert!(matches!(retry(3), Verdict::DeadLetter { class: ErrorClass::RetriesExhausted, .. }));
    }

    #[test]
    fn permanent_undecodable_and_panicking_messages_are_dead_lettered_at_once() {
        let p = policy();
        assert!(matches!(after_handler(HandlerOutcome::Failed(HandlerError::Permanent("x".into())), 1, &p), Verdict::DeadLetter { class: ErrorClass::Permanent, .. }));
        assert!(matches!(after_handler(HandlerOutcome::Undecodable("x".into()), 1, &p), Verdict::DeadLetter { class: ErrorClass::Undecodable, .. }));
        assert!(matches!(after_handler(HandlerOutcome::Panicked("x".into()), 1, &p), Verdict::DeadLetter { class: ErrorClass::Panic, .. }));
    }

    #[test]
    fn an_embargo_is_deferred_without_counting_and_a_stop_requeues() {
        let p = policy();
        let deferred = after_handler(HandlerOutcome::Failed(HandlerError::Defer { after: Duration::from_secs(5), reason: "embargo".into() }), 3, &p);
        assert_eq!(deferred, Verdict::Defer { delay: Duration::from_secs(5), reason: "embargo".into() });
        assert!(matches!(after_handler(HandlerOutcome::Interrupted, 1, &p), Verdict::Requeue { .. }));
        assert!(matches!(after_handler(HandlerOutcome::Failed(HandlerError::Interrupted), 1, &p), Verdict::Requeue { .. }));
    }

    #[test]
    fn a_broker_that_is_away_requeues_but_a_refusal_dead_letters() {
        let away = BrokerError::Unavailable("connection lost 5 times".into());
        assert!(matches!(after_publish_failure(&Verdict::Publish, &away), Verdict::Requeue { .. }), "recoveries are not a refusal");
        let refused = BrokerError::Rejected("unroutable".into());
        assert!(matches!(after_publish_failure(&Verdict::Publish, &refused), Verdict::DeadLetter { class: ErrorClass::OutputRejected, .. }));
        let dead = Verdict::DeadLetter { class: ErrorClass::Permanent, reason: "x".into() };
        assert!(matches!(after_publish_failure(&dead, &refused), Verdict::Requeue { .. }), "a refused dead letter is never dropped");
        let big = BrokerError::TooLarge { routing_key: "story.ingested".into(), bytes: 20, limit: 10 };
        assert!(matches!(after_publish_failure(&Verdict::Publish, &big), Verdict::DeadLetter { class: ErrorClass::TooLarge, .. }));
    }
}
