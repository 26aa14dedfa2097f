//! Publishing with publisher confirms: a publish only counts once the broker has confirmed it,
//! and a mandatory message the broker could not route is a failure, never a silent loss.

use crate::broker::BrokerError;
use copydesk_types::{Envelope, Payload};
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, Connection};

/// One message ready to publish.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Exchange; empty for the default exchange (routing key = queue name).
    pub exchange: String,
    /// Routing key.
    pub routing_key: String,
    /// Body bytes.
    pub body: Vec<u8>,
    /// Message id (deterministic, so consumers can tell redeliveries apart).
    pub message_id: Option<String>,
    /// Correlation id.
    pub correlation_id: Option<String>,
    /// AMQP `type`: the payload type name.
    pub type_name: Option<String>,
    /// Content type.
    pub content_type: String,
    /// Extra headers.
    pub headers: FieldTable,
    /// Per-message TTL in milliseconds (retry tiers).
    pub expiration_ms: Option<u64>,
}

impl Outgoing {
    /// A pipeline event, routed on the events exchange by its payload's routing key.
    pub fn event<T: Payload>(exchange: &str, envelope: &Envelope<T>) -> Self {
        Outgoing {
            exchange: exchange.to_string(),
            routing_key: T::ROUTING_KEY.to_string(),
            body: envelope.to_json(),
            message_id: Some(envelope.message_id.to_string()),
            correlation_id: Some(envelope.correlation_id.to_string()),
            type_name: Some(T::TYPE_NAME.to_string()),
            content_type: "application/json".into(),
            headers: FieldTable::default(),
            expiration_ms: None,
        }
    }

    /// Raw bytes sent straight to a queue through the default exchange.
    pub fn to_queue(queue: &str, body: Vec<u8>) -> Self {
        Outgoing {
            exchange: String::new(),
            routing_key: queue.to_string(),
            body,
            message_id: None,
            correlation_id: None,
            type_name: None,
            content_type: "application/octet-stream".into(),
            headers: FieldTable::default(),
            expiration_ms: None,
        }
    }

    /// Set a text header.
    pub fn header(mut self, key: &str, value: impl AsRef<str>) -> Self {
        self.headers.insert(
            ShortString::from(key),
            AMQPValue::LongString(LongString::from(value.as_ref().as_bytes().to_vec())),
        );
        self
    }

    /// Set an integer header.
    pub fn header_int(mut self, key: &str, value: i64) -> Self {
        self.headers.insert(ShortString::from(key), AMQPValue::LongLongInt(value));
        self
    }

    fn properties(&self) -> BasicProperties {
        let mut props = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type(self.content_type.clone().into())
            .with_headers(self.headers.clone())
            .with_timestamp(chrono::Utc::now().timestamp().max(0) as u64);
        if let Some(id) = &self.message_id {
            props = props.with_message_id(id.clone().into());
        }
        if let Some(id) = &self.correlation_id {
            props = props.with_correlation_id(id.clone().into());
        }
        if let Some(t) = &self.type_name {
            props = props.with_type(t.clone().into());
        }
        if let Some(ms) = self.expiration_ms {
            props = props.with_expiration(ms.to_string().into());
        }
        props
    }
}

/// A confirm-mode channel on its own connection.
#[derive(Clone)]
pub struct Publisher {
    channel: Channel,
    max_message_bytes: usize,
}

/// How many times a batch is tried across connection recoveries before the broker counts as
/// unavailable (a transient failure: the caller keeps its input and tries again later).
const PUBLISH_TRIES: usize = 5;

/// Most confirms outstanding at once: enough to keep the broker busy, few enough that a
/// connection loss costs little to publish again.
const WINDOW: usize = 256;

/// What happened to a batch: which messages the broker confirmed, and what stopped the rest.
#[derive(Debug)]
pub struct Published {
    /// One flag per message, in order: confirmed by the broker.
    pub confirmed: Vec<bool>,
    /// Why the unconfirmed ones were not, if any are left.
    pub error: Option<BrokerError>,
}

impl Published {
    /// True when every message was confirmed.
    pub fn complete(&self) -> bool {
        self.error.is_none() && self.confirmed.iter().all(|c| *c)
    }
}

impl Publisher {
    /// Open a confirm-mode channel on `connection` (ideally one used only for publishing, so
    /// flow control on publishing never stalls consuming). Messages larger than
    /// `max_message_bytes` are refused before they reach the broker.
    pub async fn new(connection: &Connection, max_message_bytes: usize) -> Result<Self, BrokerError> {
        let channel = connection
            .create_channel()
            .await
            .map_err(|e| BrokerError::amqp("open publishing channel", e))?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(|e| BrokerError::amqp("enable publisher confirms", e))?;
        Ok(Publisher { channel, max_message_bytes })
    }

    /// The underlying channel (for declaring topology).
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// The largest message body this publisher sends (`amqp.max_message_bytes`).
    pub fn max_message_bytes(&self) -> usize {
        self.max_message_bytes
    }

    /// Publish every message and wait for all confirms; `Err` unless every one was confirmed.
    pub async fn publish_confirmed(&self, messages: &[Outgoing]) -> Result<(), BrokerError> {
        let published = self.publish_all(messages).await;
        match published.error {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Publish every message (mandatory, pipelined in windows of outstanding confirms) and wait
    /// for the broker's confirms. A connection that drops is waited for and the unconfirmed
    /// messages are published again, up to a few times; a refusal (unroutable, nacked) stops at
    /// once. A message over the size limit stops the batch before anything is sent.
    pub async fn publish_all(&self, messages: &[Outgoing]) -> Published {
        let mut confirmed = vec![false; messages.len()];
        if let Some(big) = messages.iter().find(|m| m.body.len() > self.max_message_bytes) {
            let error = BrokerError::TooLarge { routing_key: big.routing_key.clone(), bytes: big.body.len(), limit: self.max_message_bytes };
            return Published { confirmed, error: Some(error) };
        }
        let mut last_error = None;
        for _ in 0..PUBLISH_TRIES {
            let pending: Vec<usize> = (0..messages.len()).filter(|&i| !confirmed[i]).collect();
            if pending.is_empty() {
                return Published { confirmed, error: None };
            }
            match self.try_batch(messages, &pending, &mut confirmed).await {
                Ok(()) => return Published { confirmed, error: None },
                Err(Attempt::Refused(error)) => return Published { confirmed, error: Some(error) },
                Err(Attempt::Lost(error)) => match self.channel.wait_for_recovery(error.clone()).await {
                    Ok(()) => last_error = Some(error),
                    Err(error) => {
                        let error = BrokerError::Unavailable(format!("the connection did not recover: {error}"));
                        return Published { confirmed, error: Some(error) };
                    }
                },
            }
        }
        let error = BrokerError::Unavailable(format!(
            "publishing failed {PUBLISH_TRIES} times across connection recoveries; last error: {}",
            last_error.map(|e| e.to_string()).unwrap_or_default()
        ));
        Published { confirmed, error: Some(error) }
    }

    async fn try_batch(&self, messages: &[Outgoing], pending: &[usize], confirmed: &mut [bool]) -> Result<(), Attempt> {
        for window in pending.chunks(WINDOW) {
            let mut confirms = Vec::with_capacity(window.len());
            for &i in window {
                let message = &messages[i];
                let confirm = self
                    .channel
                    .basic_publish(
                        message.exchange.clone().into(),
                        message.routing_key.clone().into(),
                        BasicPublishOptions { mandatory: true, ..Default::default() },
                        &message.body,
                        message.properties(),
                    )
                    .await
                    .map_err(Attempt::Lost)?;
                confirms.push((i, confirm));
            }
            for (i, confirm) in confirms {
                let confirmation = confirm.await.map_err(Attempt::Lost)?;
                let message = &messages[i];
                let acked = confirmation.is_ack();
                if let Some(returned) = confirmation.take_message() {
                    return Err(Attempt::Refused(BrokerError::Rejected(format!(
                        "the broker could not route a message to exchange '{}' with routing key '{}' ({} {}); declare the topology (`copydesk topology declare`) for this amqp.namespace",
                        message.exchange, message.routing_key, returned.reply_code, returned.reply_text
                    ))));
                }
                if !acked {
                    return Err(Attempt::Refused(BrokerError::Rejected(format!(
                        "the broker refused (nacked) a message for '{}'; it may be out of disk or memory, or the queue is full",
                        message.routing_key
                    ))));
                }
                confirmed[i] = true;
            }
        }
        Ok(())
    }
}

/// How one pass over a batch ended early.
enum Attempt {
    /// The broker said no: do not try again.
    Refused(BrokerError),
    /// The connection or channel went away: wait for recovery and try the rest again.
    Lost(lapin::Error),
}
