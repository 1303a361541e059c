"""The CloudEvents 1.0 envelope (structured JSON mode) every Lianxin event travels in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

import uuid6
from pydantic import BaseModel, ConfigDict, ValidationError


class InvalidEvent(ValueError):
    """A message that can never be processed: bad JSON, unknown type or a payload off contract."""


class EventData(BaseModel):
    """The payload of one event type. Subclasses name their CloudEvents type and NATS subject."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # `cn.lianxin.<context>.<aggregate>.<event>.v<N>`; when a class names only its SUBJECT
    # (`<context>.<aggregate>.<event>`), its TYPE is that subject's, version 1.
    TYPE: ClassVar[str]
    # A template over the payload's fields, e.g. "dispatch.{department_code}.assignment_dispatched".
    SUBJECT: ClassVar[str]
    # The payload field that names the aggregate (the CloudEvents `subject`).
    AGGREGATE_ID: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "SUBJECT" in vars(cls) and "TYPE" not in vars(cls):
            cls.TYPE = f"cn.lianxin.{cls.SUBJECT}.v1"

    def nats_subject(self) -> str:
        return self.SUBJECT.format(**self.model_dump())

    def aggregate_id(self) -> str:
        return str(getattr(self, self.AGGREGATE_ID))


class CloudEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str
    type: str
    subject: str
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str
    data: dict[str, Any]
    # Extensions: the tenant, the escalation or request that started it, and the W3C trace.
    community: str | None = None
    correlationid: str | None = None
    traceparent: str | None = None

    @classmethod
    def from_bytes(cls, raw: bytes) -> CloudEvent:
        try:
            return cls.model_validate_json(raw)
        except ValidationError as exc:
            raise InvalidEvent(f"not a Lianxin CloudEvent: {_first_error(exc)}") from exc


def schema_uri(event_type: str) -> str:
    return f"urn:lianxin:schema:{event_type}"


def new_event(
    data: EventData,
    *,
    source: str,
    community: str | None = None,
    correlation_id: str | None = None,
) -> CloudEvent:
    return CloudEvent(
        id=str(uuid6.uuid7()),
        source=source,
        type=data.TYPE,
        subject=data.aggregate_id(),
        time=datetime.now(UTC),
        dataschema=schema_uri(data.TYPE),
        data=data.model_dump(mode="json"),
        community=community,
        correlationid=correlation_id,
    )


def parse_data(event: CloudEvent) -> EventData:
    """The typed payload of an event, or InvalidEvent naming what is wrong."""
    from lianxin.contracts.registry import EVENT_TYPES

    model = EVENT_TYPES.get(event.type)
    if model is None:
        raise InvalidEvent(f"unknown event type {event.type!r}")
    try:
        return model.model_validate(event.data)
    except ValidationError as exc:
        raise InvalidEvent(f"{event.type}: {_first_error(exc)}") from exc


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(root)"
    return f"{field}: {err['msg']}"
