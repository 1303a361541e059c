from lianxin.persistence.migrations import run_env
from organisation.adapters.orm import metadata

run_env(metadata)
