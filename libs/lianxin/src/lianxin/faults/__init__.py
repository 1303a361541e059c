"""`lianxin faults` (`make faults`): whistle loops through faults, and what they left, checked.

- `control`: a platform of its own, whose every process the suite can kill and restart;
- `driver`: loops offered at a fixed rate, retried through failures, each failure counted;
- `scenarios`: the faults (kill -9 of each service, of NATS, of PostgreSQL; SIGSTOP of NATS; the
  department offline; poison messages; two incidents replicas);
- `evidence`, `checks`: what the HTTP API and the streams hold afterwards, and its judgement;
- `run`, `report`: one scenario after another, and the table, `faults.json` and `faults.md`.
"""
