"""The joint meeting (联席会议): each quarter the big committee's member units, chaired by that
term's rotating chair, review the needs with the proposed matches and the feedback list, and
decide: a project created, a responsibility given, a need declined with its reason.

    scheduled ──set_agenda / record_attendance / decide… / write_minutes──▶ scheduled
    scheduled ──close (minutes written, someone present)──▶ closed                  (final)

Decisions take effect when the meeting closes: `close` appends one event per decision, in the
order taken, then `MeetingClosed`; the handlers turn `ProjectDecided` into a `Project`,
`ResponsibilityGiven` into an assignment on it and `NeedDeclinedAtMeeting` into the need's
decline. Until then a decision is a line of the draft, so nothing half-decided leaks out: a step
of the draft sends only `MeetingRecorded`, with the step's name, for the meeting's open pages.
Nothing changes after closing. The chair for the term comes from organisation's rotation: the caller
gives it. The quarter is the one `scheduled_at` falls in (China time); how many meetings a
quarter holds is the committee's business (Yongxinglu has held 34).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from lianxin.errors import Conflict, RuleBroken, require
from resources.domain import events
from resources.domain.common import MeetingRecord, Quarter, require_aware, require_text, unique
from resources.domain.matching import Suggestion
from resources.domain.needs import Need, Urgency
from resources.domain.responsibilities import checked_terms

if TYPE_CHECKING:
    from resources.domain.feedback import FeedbackItem

# The rule a decision's due date breaks when it is not after the meeting (a refusal's `type`,
# which the console words in Chinese).
AFTER_MEETING = "due_before_meeting"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CLOSED = "closed"


@dataclass(frozen=True)
class NeedOnAgenda:
    need_id: UUID
    title: str
    category: str
    grid_node_code: str
    urgency: str
    affected_count: int
    # The best proposed matches, each with its reasons; the meeting decides.
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class Agenda:
    feedback: tuple[FeedbackItem, ...]
    needs: tuple[NeedOnAgenda, ...]

    @property
    def need_ids(self) -> frozenset[UUID]:
        return frozenset(n.need_id for n in self.needs)


_URGENCY_ORDER = {Urgency.HIGH: 0, Urgency.NORMAL: 1, Urgency.LOW: 2}


def build_agenda(
    open_needs: Iterable[Need],
    suggestions: Mapping[UUID, Iterable[Suggestion]],
    feedback: Iterable[FeedbackItem] = (),
    matches_per_need: int = 3,
) -> Agenda:
    """Feedback on the last meeting's decisions first (the loop closes before it opens again),
    then the undecided needs: most urgent, then most people affected, then the oldest."""
    needs = sorted(
        (n for n in open_needs if n.undecided),
        key=lambda n: (_URGENCY_ORDER[n.urgency], -n.affected_count, n.recorded_at),
    )
    return Agenda(
        feedback=tuple(feedback),
        needs=tuple(
            NeedOnAgenda(
                n.id,
                n.title,
                n.category,
                n.grid_node_code,
                n.urgency.value,
                n.affected_count,
                tuple(suggestions.get(n.id, ()))[:matches_per_need],
            )
            for n in needs
        ),
    )


@dataclass(frozen=True)
class ProjectDecision:
    project_id: UUID
    title: str
    need_ids: tuple[UUID, ...]
    resource_offer_ids: tuple[UUID, ...]
    slots: int
    due_at: datetime


@dataclass(frozen=True)
class ResponsibilityDecision:
    project_id: UUID
    responsibility_id: UUID
    holder_code: str
    task: str
    due_at: datetime


@dataclass(frozen=True)
class DeclineDecision:
    need_id: UUID
    reason: str


Decision = ProjectDecision | ResponsibilityDecision | DeclineDecision


@dataclass(kw_only=True)
class JointMeeting(MeetingRecord):
    what = "meeting"

    id: UUID
    community_code: str
    quarter: Quarter
    chair_unit_code: str
    scheduled_at: datetime
    invited_department_codes: tuple[str, ...] = ()
    status: MeetingStatus = MeetingStatus.SCHEDULED
    agenda: Agenda = field(default_factory=lambda: Agenda((), ()))
    units_present: tuple[str, ...] = ()
    departments_present: tuple[str, ...] = ()
    decisions: list[Decision] = field(default_factory=list)
    minutes: str = ""
    closed_at: datetime | None = None

    @classmethod
    def schedule(
        cls,
        *,
        community_code: str,
        chair_unit_code: str,
        scheduled_at: datetime,
        now: datetime,
        invited_department_codes: Iterable[str] = (),
        meeting_id: UUID | None = None,
    ) -> JointMeeting:
        invited = unique(tuple(invited_department_codes), "invited_department_codes")
        meeting = cls(
            id=meeting_id or uuid4(),
            community_code=require_text(community_code, "community_code", 64),
            quarter=Quarter.of(require_aware(scheduled_at, "scheduled_at")),
            chair_unit_code=require_text(chair_unit_code, "chair_unit_code", 64),
            scheduled_at=scheduled_at,
            invited_department_codes=invited,
        )
        meeting.events.append(
            events.MeetingScheduled(
                meeting.id,
                meeting.community_code,
                str(meeting.quarter),
                meeting.chair_unit_code,
                scheduled_at,
                invited,
                now,
            )
        )
        return meeting

    def set_agenda(self, agenda: Agenda) -> None:
        """A draft until the meeting: set again as needs come in (no event: nothing decided)."""
        self._ensure_open()
        dropped = self._decided_needs() - agenda.need_ids
        if dropped:
            raise Conflict(f"needs already decided here must stay on the agenda: {len(dropped)}")
        self.agenda = agenda

    def record_attendance(
        self, member_unit_codes: Iterable[str], department_codes: Iterable[str] = ()
    ) -> None:
        units = unique(tuple(member_unit_codes), "units_present")
        departments = unique(tuple(department_codes), "departments_present")
        uninvited = [d for d in departments if d not in self.invited_department_codes]
        require(
            not uninvited,
            "departments_present",
            f"departments come when invited: {', '.join(uninvited)} were not",
        )
        self._ensure_open()
        self.units_present = units
        self.departments_present = departments

    def _decided_needs(self) -> set[UUID]:
        decided: set[UUID] = set()
        for d in self.decisions:
            if isinstance(d, ProjectDecision):
                decided.update(d.need_ids)
            elif isinstance(d, DeclineDecision):
                decided.add(d.need_id)
        return decided

    def _check_needs(self, need_ids: tuple[UUID, ...], field: str) -> None:
        missing = [str(n) for n in need_ids if n not in self.agenda.need_ids]
        require(not missing, field, f"not on this meeting's agenda: {', '.join(missing)}")
        self._ensure_open()
        twice = [str(n) for n in need_ids if n in self._decided_needs()]
        if twice:
            raise Conflict(f"already decided at this meeting: {', '.join(twice)}")

    def decide_project(
        self,
        *,
        title: str,
        need_ids: Iterable[UUID],
        due_at: datetime,
        resource_offer_ids: Iterable[UUID] = (),
        slots: int = 1,
        project_id: UUID | None = None,
    ) -> ProjectDecision:
        needs = tuple(dict.fromkeys(need_ids))
        require(needs, "need_ids", "a project meets at least one need")
        text = require_text(title, "title", 200)
        require(isinstance(slots, int) and 1 <= slots <= 30, "slots", "slots must be 1 to 30")
        require_aware(due_at, "due_at")
        if due_at <= self.scheduled_at:
            raise RuleBroken("due_at", "due_at must be after the meeting", type_=AFTER_MEETING)
        self._check_needs(needs, "need_ids")
        decision = ProjectDecision(
            project_id or uuid4(),
            text,
            needs,
            tuple(dict.fromkeys(resource_offer_ids)),
            slots,
            due_at,
        )
        self.decisions.append(decision)
        return decision

    def give_responsibility(
        self,
        *,
        project_id: UUID,
        holder_code: str,
        task: str,
        due_at: datetime,
        responsibility_id: UUID | None = None,
    ) -> ResponsibilityDecision:
        """For a project decided here or at an earlier meeting."""
        holder, text = checked_terms(
            holder_code, task, due_at, self.scheduled_at, "after the meeting", AFTER_MEETING
        )
        self._ensure_open()
        decision = ResponsibilityDecision(
            project_id, responsibility_id or uuid4(), holder, text, due_at
        )
        self.decisions.append(decision)
        return decision

    def decline_need(self, need_id: UUID, reason: str) -> DeclineDecision:
        text = require_text(reason, "reason")
        self._check_needs((need_id,), "need_id")
        decision = DeclineDecision(need_id, text)
        self.decisions.append(decision)
        return decision

    def recorded(self, step: str, now: datetime) -> None:
        """Tell the meeting's open pages that a step of the draft was recorded: the step's name
        only, so no half-taken decision travels (a page reads the draft with its user's token)."""
        self.events.append(
            events.MeetingRecorded(
                self.id, self.community_code, str(self.quarter), self.chair_unit_code, step, now
            )
        )

    def close(self, now: datetime) -> None:
        require(self.minutes, "minutes", "a meeting closes with its minutes")
        require(self.units_present, "units_present", "record who came before closing")
        self._ensure_open()
        self.status = MeetingStatus.CLOSED
        self.closed_at = now
        for decision in self.decisions:
            self.events.append(self._published(decision, now))
        self.events.append(
            events.MeetingClosed(
                self.id,
                self.community_code,
                str(self.quarter),
                self.chair_unit_code,
                self.units_present,
                self.departments_present,
                len(self.decisions),
                now,
            )
        )

    def _published(self, d: Decision, now: datetime) -> object:
        if isinstance(d, ProjectDecision):
            return events.ProjectDecided(
                self.id,
                d.project_id,
                self.community_code,
                d.title,
                d.need_ids,
                d.resource_offer_ids,
                d.slots,
                d.due_at,
                now,
            )
        if isinstance(d, ResponsibilityDecision):
            return events.ResponsibilityGiven(
                self.id, d.project_id, d.responsibility_id, d.holder_code, d.task, d.due_at, now
            )
        return events.NeedDeclinedAtMeeting(self.id, d.need_id, d.reason, now)
