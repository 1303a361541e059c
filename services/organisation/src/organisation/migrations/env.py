from lianxin.persistence.migrations import run_env
from organisation.adapters import identity, signin  # noqa: F401 - their tables join the metadata
from organisation.adapters.orm import metadata

run_env(metadata)
