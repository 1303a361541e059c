from incidents.adapters.orm import metadata
from lianxin.persistence.migrations import run_env

run_env(metadata)
