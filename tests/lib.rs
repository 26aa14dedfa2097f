//! Integration tests against a real RabbitMQ.
