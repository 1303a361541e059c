"""Event contracts: the CloudEvents envelope and one module of typed payloads per context."""

from lianxin.contracts.envelope import CloudEvent, EventData, InvalidEvent, new_event, parse_data
from lianxin.contracts.registry import EVENT_TYPES

__all__ = ["EVENT_TYPES", "CloudEvent", "EventData", "InvalidEvent", "new_event", "parse_data"]
