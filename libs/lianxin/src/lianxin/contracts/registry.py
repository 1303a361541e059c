"""Every event type Lianxin knows, by its CloudEvents `type`."""

from __future__ import annotations

from lianxin.contracts import care, departments, incidents, org, resources, volunteers
from lianxin.contracts.envelope import EventData

_MODULES = (org, incidents, departments, resources, volunteers, care)

EVENT_TYPES: dict[str, type[EventData]] = {
    cls.TYPE: cls
    for module in _MODULES
    for cls in vars(module).values()
    # Only concrete event types: base classes such as `org.State` name no TYPE.
    if isinstance(cls, type) and issubclass(cls, EventData) and hasattr(cls, "TYPE")
}
