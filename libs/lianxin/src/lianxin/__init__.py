"""What every Lianxin service shares: contracts, messaging, persistence, telemetry, runtime."""
