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
}

/// How many times a publish is retried across connection recoveries before giving up.
const PUBLISH_TRIES: usize = 5;

impl Publisher {
    /// Open a confirm-mode channel on `connection` (ideally one used only for publishing, so
    /// flow control on publishing never stalls consuming).
    pub async fn new(connection: &Connection) -> Result<Self, BrokerError> {
        let channel = connection
            .create_channel()
            .await
            .map_err(|e| BrokerError::amqp("open publishing channel", e))?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(|e| BrokerError::amqp("enable publisher confirms", e))?;
        Ok(Publisher { channel })
    }

    /// The underlying channel (for declaring topology).
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// Publish every message (mandatory) and wait for the broker's confirm of each. Waits for
    /// the connection to recover and tries again when it drops.
    pub async fn publish_confirmed(&self, messages: &[Outgoing]) -> Result<(), BrokerError> {
        for message in messages {
            self.publish_one(message).await?;
        }
        Ok(())
    }

    async fn publish_one(&self, message: &Outgoing) -> Result<(), BrokerError> {
        let mut last_error = None;
        for _ in 0..PUBLISH_TRIES {
            let attempt = async {
                self.channel
                    .basic_publish(
                        message.exchange.clone().into(),
                        message.routing_key.clone().into(),
                        BasicPublishOptions { mandatory: true, ..Default::default() },
                        &message.body,
                        message.properties(),
                    )
                    .await?
                    .await
            }
            .await;
            match attempt {
                Ok(confirmation) => {
                    let acked = confirmation.is_ack();
                    if let Some(returned) = confirmation.take_message() {
                        return Err(BrokerError::Rejected(format!(
                            "the broker could not route a message to exchange '{}' with routing key '{}' ({} {}); declare the topology (`copydesk topology declare`) for this amqp.namespace",
                            message.exchange, message.routing_key, returned.reply_code, returned.reply_text
                        )));
                    }
                    if !acked {
                        return Err(BrokerError::Rejected(format!(
                            "the broker refused (nacked) a message for '{}'; it may be out of disk or memory, or the queue is full",
                            message.routing_key
                        )));
                    }
                    return Ok(());
                }
                Err(error) => match self.channel.wait_for_recovery(error.clone()).await {
                    Ok(()) => last_error = Some(error),
                    Err(error) => return Err(BrokerError::amqp("publish", error)),
                },
            }
        }
        Err(BrokerError::Rejected(format!(
            "publish to '{}' failed {PUBLISH_TRIES} times across connection recoveries; last error: {}",
            message.routing_key,
            last_error.map(|e| e.to_string()).unwrap_or_default()
        )))
    }
}
