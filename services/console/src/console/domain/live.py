"""What a platform event changes on the console's open pages, and whom to ask whether a user may
hear of it.

An incident's event changes its own page and the incident lists and counts. A resources event
(`resources.<aggregate>.<fact>`) changes some of the resources pages' lists: a need's the needs
list, a meeting's decision the meetings, the list of what it decided and the feedback list, and
so on. Whether a user may hear of it is resources' answer to that user about the thing the event
is about (the need, the meeting, the project; an offer, which resources reads only in lists, by
its member unit's list): the same answer the user would get opening its page. A wish's page is
its grid's only, but the board of a community is everyone's in it: a wish's event names its
community, and the user's token says whether that is theirs, as resources reads it.

A meeting's own page follows its meeting (`meeting:<id>`): every resources event that names the
meeting, each step of its record among them, asked of resources as the meeting's page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args
from uuid import UUID

from lianxin.auth import Principal, Role

# What a page may follow (`/events?topic=…`): the incidents, or one of the resources lists by
# the name of its page (`/lists/<name>`, `/wishes`, `/meetings`), or one meeting (`meeting:<id>`).
Topic = Literal[
    "incidents",
    "needs",
    "resources",
    "projects",
    "responsibilities",
    "feedback",
    "wishes",
    "meetings",
]
TOPICS: tuple[str, ...] = get_args(Topic)


def meeting_topic(meeting_id: object) -> str:
    """The topic of one meeting's page."""
    return f"meeting:{meeting_id}"


def parse_topic(text: str) -> str:
    """A topic a page may follow, as it names it; ValueError for anything else."""
    if text in TOPICS:
        return text
    kind, _, meeting = text.partition(":")
    if kind == "meeting":
        try:
            return meeting_topic(UUID(meeting))  # one spelling: the events' own
        except ValueError:
            pass
    raise ValueError(f"not a list nor meeting:<id>: {text[:80]}")


@dataclass(frozen=True)
class Asked:
    """The call whose answer, made with the user's token, says whether they may hear of an
    event: a page of the thing itself, or a list of it that is not empty."""

    service: str
    path: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class IncidentEvent:
    incident_id: str
    fact: str  # the subject's last part: "escalated", "acknowledged", …
    subject: str

    @property
    def topics(self) -> frozenset[str]:
        return frozenset({"incidents"})

    @property
    def asked(self) -> Asked:
        return Asked("incidents", f"/incidents/{self.incident_id}")

    def asked_for(self, topic: str) -> Asked:
        return self.asked


@dataclass(frozen=True)
class ResourcesEvent:
    subject: str
    topics: frozenset[str]  # the lists it changes, and the meeting's page if it names one
    asked: Asked | None  # None: a community's board, which everyone in `community` reads
    community: str | None = None
    meeting: str | None = None  # the meeting it names

    @property
    def fact(self) -> str:
        return self.subject.rsplit(".", 1)[-1]

    def asked_for(self, topic: str) -> Asked | None:
        """Whom to ask for one of its topics: the meeting's page is asked for its own topic
        (a decision about a need is asked of the need on the lists)."""
        if self.meeting and topic == meeting_topic(self.meeting):
            return Asked("resources", f"/meetings/{self.meeting}")
        return self.asked


LiveEvent = IncidentEvent | ResourcesEvent

# The feedback list is the last meeting's decisions as they are carried out: the projects, the
# responsibilities and the declined needs.
_PROJECT = frozenset({"projects", "feedback"})
_RESPONSIBILITY = frozenset({"responsibilities", "projects", "feedback"})
_DECISION = {
    "recorded": frozenset({"meetings"}),  # a step of the draft: the list counts its decisions
    "project_decided": frozenset({"meetings", "projects", "feedback"}),
    "responsibility_given": frozenset({"meetings", "responsibilities", "feedback"}),
    "need_declined": frozenset({"meetings", "needs", "feedback"}),
}


def _topics(aggregate: str, fact: str) -> frozenset[str]:
    if aggregate == "need":
        return frozenset({"needs"})
    if aggregate == "offer":
        return frozenset({"resources"})
    if aggregate == "wish":
        return frozenset({"wishes"})
    if aggregate == "responsibility" or fact.startswith("responsibility_"):
        return _RESPONSIBILITY
    if aggregate == "project":
        return _PROJECT
    if aggregate == "meeting":
        return _DECISION.get(fact, frozenset({"meetings", "feedback"}))
    return frozenset()  # deliberations, scorecards, emergency offers: no list of these follows


def _asked(aggregate: str, fact: str, data: Mapping[str, Any]) -> Asked | None:
    if aggregate == "wish":
        # Not on the board until the grid publishes it: a recorded wish is heard of only by
        # those who may open its page (its grid's keepers).
        wish = data.get("wish_id")
        return Asked("resources", f"/wishes/{wish}") if fact == "recorded" and wish else None
    if aggregate == "offer":
        # resources has no page of one offer: a user who reads any of the unit's offers reads
        # this one (a unit's offers are all of one community).
        unit = data.get("member_unit_code")
        if not unit:
            return None
        return Asked("resources", "/offers", (("unit", str(unit)), ("limit", "1")))
    for key, path in (
        ("need_id", "/needs"),
        ("meeting_id", "/meetings"),
        ("project_id", "/projects"),  # a responsibility is read on its project
    ):
        if data.get(key):
            return Asked("resources", f"{path}/{data[key]}")
    return None


def resources_event(subject: str, data: Mapping[str, Any]) -> ResourcesEvent | None:
    """The resources event's lists and whom to ask; None for one that no open list follows."""
    parts = subject.split(".")
    if len(parts) != 3 or parts[0] != "resources":
        return None
    _, aggregate, fact = parts
    topics = _topics(aggregate, fact)
    asked = _asked(aggregate, fact, data)
    community = data.get("community_code") if asked is None else None
    if not topics or (asked is None and not community):
        return None
    meeting = data.get("meeting_id") and str(data["meeting_id"])
    if meeting:
        topics = topics | {meeting_topic(meeting)}
    return ResourcesEvent(subject, topics, asked, community and str(community), meeting or None)


def in_scope(principal: Principal, community: str) -> bool:
    """resources' rule for a community's boards: everyone of the platform in its scope, never a
    department."""
    return principal.role is not Role.DEPARTMENT_OPERATOR and principal.sees_community(community)


def visible(status: int, body: Any) -> bool:
    """resources' or incidents' answer to the user: they may hear of the event. An empty list
    (an offer's unit whose offers they may not read) is a no, like a refusal."""
    return 200 <= status < 300 and body != []
