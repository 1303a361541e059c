from lianxin.persistence.migrations import run_env
from resources.adapters.orm import metadata

run_env(metadata)
