from lianxin.persistence.migrations import declared_metadata, run_env

run_env(declared_metadata("incidents"))
