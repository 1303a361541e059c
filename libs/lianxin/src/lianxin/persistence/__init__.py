"""PostgreSQL: engine, unit of work, transactional outbox, inbox and dead letters."""
