import pytest

from lianxin.telemetry import setup_telemetry


@pytest.fixture(scope="session", autouse=True)
def telemetry() -> None:
    """A real tracer provider, so trace context is recorded and propagated as in a service."""
    setup_telemetry("lianxin-tests")
