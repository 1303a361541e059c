"""Test fixtures: real PostgreSQL and NATS, from the environment, Docker, or the embedded wheels."""
