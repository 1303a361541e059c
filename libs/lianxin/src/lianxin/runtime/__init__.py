"""The embedded infrastructure a laptop runs on: PostgreSQL and NATS from their wheels."""
