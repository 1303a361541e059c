from incidents.adapters import webhooks  # noqa: F401  (its tables join the same metadata)
from incidents.adapters.orm import metadata
from lianxin.persistence.migrations import run_env

run_env(metadata)
