"""NATS JetStream: one declaration of streams and consumers, publishing, and subscribers."""
