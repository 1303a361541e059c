"""`lianxin bench`: the whistle-and-report loop's throughput and latency, and its ceiling.

- `platform_run`: N grid reporters and a department simulator drive the real platform;
- `ceiling`: a bare script doing the same PostgreSQL commits and JetStream publishes per loop;
- `own_platform`: a throwaway platform on free ports for the run;
- `stats`, `report`: percentiles, and the JSON and Markdown the run writes.
"""
