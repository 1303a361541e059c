"""Projects (项目清单) and their responsibilities (责任清单): decided at a joint meeting, claimed
by member units, followed by milestones and progress reports, finished, rated by residents.

    open ──claim──▶ under_way ──claim (while slots are left)──▶ under_way
    under_way ──finish (every responsibility done)──▶ finished ──rate──▶ finished   (final)

Claims: one per unit per project, at most `slots` (decided at the meeting; the pavilion had two).
A claim of a full project is refused with Conflict: the database makes two racing claims for the
last slot one success and one refusal; the aggregate says the same thing to the slower one.
The practice is one or two projects a year per unit: a third claim is allowed and flagged
(`ProjectClaimed.beyond_practice`); `claims.claim_flags` says which units claimed too many or
none by the end of Q1.

Responsibilities go overdue like the whistle's deadlines (see `responsibilities`): the persistence
layer keeps one timer row per rung and calls `check_deadlines(now)`, which takes each rung once,
however late, often or out of order the rows fire. A project is on
time when it is finished by its `due_at`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from lianxin.errors import Conflict, RuleBroken, require
from resources.domain import events
from resources.domain.claims import PRACTICE_CLAIMS_PER_YEAR, Claim
from resources.domain.common import Aggregate, require_aware, require_text
from resources.domain.responsibilities import Responsibility, checked_terms


class ProjectStatus(StrEnum):
    OPEN = "open"
    UNDER_WAY = "under_way"
    FINISHED = "finished"


@dataclass(kw_only=True)
class Milestone:
    id: UUID
    title: str
    due_at: datetime
    percent_done: int = 0
    reached_at: datetime | None = None


@dataclass(frozen=True)
class ProgressReport:
    reported_by: str
    percent_done: int
    note: str
    at: datetime


@dataclass(frozen=True)
class Rating:
    # An opaque key of the rating household, so one household rates once; never a name.
    rater_key: str
    rating: int
    at: datetime


@dataclass(kw_only=True)
class Project(Aggregate):
    id: UUID
    community_code: str
    title: str
    meeting_id: UUID | None
    need_ids: tuple[UUID, ...]
    resource_offer_ids: tuple[UUID, ...]
    slots: int
    due_at: datetime
    decided_at: datetime
    status: ProjectStatus = ProjectStatus.OPEN
    claims: list[Claim] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    reports: list[ProgressReport] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    finished_at: datetime | None = None

    @classmethod
    def create(
        cls,
        *,
        community_code: str,
        title: str,
        due_at: datetime,
        now: datetime,
        need_ids: Iterable[UUID] = (),
        resource_offer_ids: Iterable[UUID] = (),
        slots: int = 1,
        meeting_id: UUID | None = None,
        project_id: UUID | None = None,
    ) -> Project:
        require(isinstance(slots, int) and 1 <= slots <= 30, "slots", "slots must be 1 to 30")
        require_aware(due_at, "due_at")
        require(due_at > require_aware(now, "now"), "due_at", "due_at must be in the future")
        project = cls(
            id=project_id or uuid4(),
            community_code=require_text(community_code, "community_code", 64),
            title=require_text(title, "title", 200),
            meeting_id=meeting_id,
            need_ids=tuple(dict.fromkeys(need_ids)),
            resource_offer_ids=tuple(dict.fromkeys(resource_offer_ids)),
            slots=slots,
            due_at=due_at,
            decided_at=now,
        )
        project.events.append(
            events.ProjectCreated(
                project.id, project.community_code, meeting_id, project.title, slots, due_at, now
            )
        )
        return project

    @classmethod
    def from_decision(cls, decided: events.ProjectDecided) -> Project:
        """The project a closed meeting decided, as of the meeting's close."""
        return cls.create(
            community_code=decided.community_code,
            title=decided.title,
            due_at=decided.due_at,
            now=decided.at,
            need_ids=decided.need_ids,
            resource_offer_ids=decided.resource_offer_ids,
            slots=decided.slots,
            meeting_id=decided.meeting_id,
            project_id=decided.project_id,
        )

    # Claims

    @property
    def claimant_codes(self) -> tuple[str, ...]:
        return tuple(c.member_unit_code for c in self.claims)

    @property
    def slots_left(self) -> int:
        return self.slots - len(self.claims)

    def claim(self, member_unit_code: str, now: datetime, claims_this_year: int = 0) -> None:
        """`claims_this_year`: the unit's other claims this year, which the caller counts."""
        unit = require_text(member_unit_code, "member_unit_code", 64)
        require(claims_this_year >= 0, "claims_this_year", "claims_this_year is a count")
        if self.status is ProjectStatus.FINISHED:
            raise Conflict(f"project {self.id} is finished")
        if unit in self.claimant_codes:
            raise Conflict(f"{unit} has already claimed project {self.id}")
        if self.slots_left <= 0:
            raise Conflict(
                f"project {self.id} is full: claimed by {', '.join(self.claimant_codes)}"
            )
        self.claims.append(Claim(unit, now))
        self.status = ProjectStatus.UNDER_WAY
        self.events.append(
            events.ProjectClaimed(
                self.id,
                self.community_code,
                unit,
                claims_this_year + 1 > PRACTICE_CLAIMS_PER_YEAR,
                self.slots_left,
                now,
            )
        )

    # Responsibilities

    def _ensure_not_finished(self) -> None:
        if self.status is ProjectStatus.FINISHED:
            raise Conflict(f"project {self.id} is finished")

    def responsibility(self, responsibility_id: UUID) -> Responsibility:
        for r in self.responsibilities:
            if r.id == responsibility_id:
                return r
        raise RuleBroken("responsibility_id", f"project {self.id} has no such responsibility")

    def assign(
        self,
        holder_code: str,
        task: str,
        due_at: datetime,
        now: datetime,
        responsibility_id: UUID | None = None,
    ) -> Responsibility:
        holder, text = checked_terms(holder_code, task, due_at, now, "in the future")
        self._ensure_not_finished()
        rid = responsibility_id or uuid4()
        if any(r.id == rid for r in self.responsibilities):
            raise Conflict(f"responsibility {rid} is already on project {self.id}")
        given = Responsibility(id=rid, holder_code=holder, task=text, given_at=now, due_at=due_at)
        self.responsibilities.append(given)
        self.events.append(events.ResponsibilityAssigned(self.id, rid, holder, text, due_at, now))
        return given

    def complete(self, responsibility_id: UUID, now: datetime) -> None:
        done = self.responsibility(responsibility_id)
        self._ensure_not_finished()
        if done.done_at is not None:
            raise Conflict(f"responsibility {done.id} is already done")
        done.done_at = now
        self.events.append(
            events.ResponsibilityCompleted(self.id, done.id, done.holder_code, done.late, now)
        )

    def overdue(self, now: datetime) -> list[Responsibility]:
        return [r for r in self.responsibilities if r.overdue(now)]

    def check_deadlines(self, now: datetime) -> list[events.ResponsibilityOverdue]:
        """Take each rung of the overdue ladder that is due and not yet taken, once."""
        taken: list[events.ResponsibilityOverdue] = []
        for r in self.responsibilities:
            for rung in r.rungs_due(now):
                r.overdue_rung = rung
                taken.append(
                    events.ResponsibilityOverdue(
                        self.id, r.id, r.holder_code, r.due_at, rung.name.lower(), now
                    )
                )
        self.events.extend(taken)
        return taken

    # Progress (三定: regular planning, progress reports, evaluation)

    def add_milestone(
        self, title: str, due_at: datetime, now: datetime, milestone_id: UUID | None = None
    ) -> Milestone:
        text = require_text(title, "title", 200)
        require_aware(due_at, "due_at")
        self._ensure_not_finished()
        mid = milestone_id or uuid4()
        if any(m.id == mid for m in self.milestones):
            raise Conflict(f"milestone {mid} is already on project {self.id}")
        milestone = Milestone(id=mid, title=text, due_at=due_at)
        self.milestones.append(milestone)
        self.events.append(events.MilestoneAdded(self.id, mid, text, due_at, now))
        return milestone

    @property
    def percent_done(self) -> int:
        """The mean of the milestones, or the last report's figure when there are none."""
        if self.status is ProjectStatus.FINISHED:
            return 100
        if self.milestones:
            return round(sum(m.percent_done for m in self.milestones) / len(self.milestones))
        return self.reports[-1].percent_done if self.reports else 0

    def report_progress(
        self,
        reported_by: str,
        note: str,
        now: datetime,
        *,
        milestones: Mapping[UUID, int] | None = None,
        percent_done: int | None = None,
    ) -> None:
        """A progress report: milestones' percentages when it has milestones, else one figure."""
        by = require_text(reported_by, "reported_by", 64)
        text = require_text(note, "note")
        given = dict(milestones or {})
        known = {m.id: m for m in self.milestones}
        for mid, percent in given.items():
            require(mid in known, "milestones", f"project {self.id} has no milestone {mid}")
            _check_percent(percent, "milestones")
        if self.milestones:
            require(percent_done is None, "percent_done", "the milestones give the figure")
        else:
            require(percent_done is not None, "percent_done", "say how far along it is")
            _check_percent(percent_done, "percent_done")
        self._ensure_not_finished()
        if self.status is ProjectStatus.OPEN:
            raise Conflict(f"project {self.id} is not claimed yet: nobody reports on it")
        for mid, percent in given.items():
            known[mid].percent_done = percent
            if percent == 100 and known[mid].reached_at is None:
                known[mid].reached_at = now
        figure = self.percent_done if self.milestones else percent_done
        assert figure is not None
        self.reports.append(ProgressReport(by, figure, text, now))
        self.events.append(events.ProgressReported(self.id, by, figure, text, now))

    def finish(self, now: datetime) -> None:
        self._ensure_not_finished()
        if self.status is ProjectStatus.OPEN:
            raise Conflict(f"project {self.id} was never claimed")
        undone = [r.task for r in self.responsibilities if r.done_at is None]
        if undone:
            raise Conflict(f"project {self.id} has responsibilities not done: {'; '.join(undone)}")
        self.status = ProjectStatus.FINISHED
        self.finished_at = now
        self.events.append(
            events.ProjectFinished(
                self.id, self.community_code, self.claimant_codes, self.on_time, now
            )
        )

    @property
    def on_time(self) -> bool:
        return self.finished_at is not None and self.finished_at <= self.due_at

    # Residents' rating

    @property
    def mean_rating(self) -> float | None:
        if not self.ratings:
            return None
        return sum(r.rating for r in self.ratings) / len(self.ratings)

    def rate(self, rater_key: str, rating: int, now: datetime) -> None:
        key = require_text(rater_key, "rater_key", 128)
        require(
            isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5,
            "rating",
            "rating must be 1 to 5",
        )
        if self.status is not ProjectStatus.FINISHED:
            raise Conflict(f"project {self.id} is not finished: residents rate finished work")
        if any(r.rater_key == key for r in self.ratings):
            raise Conflict(f"this household has already rated project {self.id}")
        self.ratings.append(Rating(key, rating, now))
        mean = self.mean_rating
        assert mean is not None
        self.events.append(events.ProjectRated(self.id, rating, mean, len(self.ratings), now))


def _check_percent(value: int, field: str) -> None:
    require(
        isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100,
        field,
        f"{field}: a percentage is 0 to 100",
    )
