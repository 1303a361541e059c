from incidents.adapters import tickets, webhooks  # noqa: F401  (their tables join the metadata)
from incidents.adapters.orm import metadata
from lianxin.persistence.migrations import run_env

run_env(metadata)
