from lianxin.persistence.migrations import run_env
from volunteers.adapters.orm import metadata

run_env(metadata)
