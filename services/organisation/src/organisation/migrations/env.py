from lianxin.persistence.migrations import run_env
from organisation.adapters import identity  # noqa: F401 - its tables join the metadata
from organisation.adapters.orm import metadata

run_env(metadata)
