"""`lianxin bench`: the whistle-and-report loop's throughput and latency, and its ceiling.

- `platform_run`: N grid reporters and a department simulator drive the real platform;
- `ceiling`: a bare script doing the same PostgreSQL commits and JetStream publishes per loop;
- `own_platform`: a throwaway platform on free ports for the run, its processes as `layout`
  says (replicas, or HTTP and workers apart);
- `server_stats`, `machine`, `profile`: what the servers counted, how busy the machine was, and
  where each service process spent its samples (py-spy), over the measured loops;
- `stats`, `report`: percentiles, and the JSON and Markdown the run writes.
"""
