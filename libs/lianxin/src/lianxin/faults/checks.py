"""The checks: what a scenario's loops left behind, judged. Pure functions on recorded data.

Every loop the platform acknowledged (its escalation answered 2xx) is owed, by the end:

- **not lost**: its incident is there, with an assignment for the department;
- **not stuck**: it reads `resolved` (converged) once the fault is healed, within the bound;
- **nothing doubled**: each timeline step once, each event once per aggregate in INCIDENTS,
  DISPATCH and REPORTS, and no `Nats-Msg-Id` twice in a stream;
- **one incident per loop**: a report retried after its answer was lost must not make a second
  (`dup_incident`: the client sends an `Idempotency-Key`, which the platform must honour);
- **nothing missing**: a resolved incident has every timeline step and every event of the loop;
- the department's acknowledgements in the order their whistles were dispatched, each marked late
  exactly when it came after `acknowledge_by`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from lianxin.faults.driver import Load, LoopRecord
from lianxin.faults.evidence import Evidence, StreamMessage

TIMELINE = ("reported", "escalated", "acknowledged", "assignment_resolved", "resolved")
# Per stream, the events one loop leaves: the type without `cn.lianxin.` and the version.
EVENTS = {
    "INCIDENTS": (
        "incidents.incident.reported",
        "incidents.incident.escalated",
        "incidents.assignment.acknowledged",
        "incidents.assignment.resolved",
        "incidents.incident.resolved",
    ),
    "DISPATCH": ("incidents.assignment.dispatched",),
    "REPORTS": ("departments.assignment.acknowledged", "departments.assignment.resolved"),
}
KINDS = ("lost", "doubled", "dup_incident", "stuck", "missing", "misordered", "late_mismatch")


@dataclass
class Verdict:
    """How many loops failed each check, and a few of the failures spelled out."""

    loops: int
    acknowledged: int
    counts: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def fail(self, kind: str, loop: LoopRecord | None, why: str) -> None:
        self.counts[kind] += 1
        if self.counts[kind] <= 3:  # a few of each kind: a common one hides no rare one
            self.examples.append(f"{kind}: {f'loop {loop.n}: ' if loop else ''}{why}")

    @property
    def held(self) -> bool:
        return not any(self.counts[kind] for kind in KINDS)


def short_type(event_type: str) -> str:
    """`cn.lianxin.incidents.incident.reported.v1` -> `incidents.incident.reported`."""
    return event_type.removeprefix("cn.lianxin.").rsplit(".v", 1)[0]


def judge(load: Load, evidence: Evidence, converged: bool) -> Verdict:
    verdict = Verdict(len(load.loops), len(load.acknowledged()))
    ids = {loop.incident_id for loop in load.loops if loop.incident_id}
    for loop in load.loops:
        _doubled_incident(verdict, loop, evidence)
    for loop in load.acknowledged():
        incident = evidence.incidents.get(str(loop.incident_id))
        assignments = [a for a in (incident or {}).get("assignments", [])]
        if incident is None or not assignments:
            verdict.fail("lost", loop, f"incident {loop.incident_id} or its assignment is gone")
            continue
        own = _messages_of(evidence.messages, {incident["id"], *(a["id"] for a in assignments)})
        _steps(verdict, loop, incident, own)
        _late_marks(verdict, loop, incident)
    _msg_ids_once(verdict, evidence.messages, ids, evidence)
    _dispatch_order(verdict, load, evidence)
    if not converged and not verdict.counts["stuck"]:
        verdict.fail("stuck", None, "did not converge within the bound")
    return verdict


def _doubled_incident(verdict: Verdict, loop: LoopRecord, evidence: Evidence) -> None:
    carrying = evidence.by_description.get(loop.description, [])
    if len(carrying) > 1:
        verdict.fail("dup_incident", loop, f"{len(carrying)} incidents for one report (a retry)")


def _steps(verdict: Verdict, loop: LoopRecord, incident: dict, own: list[StreamMessage]) -> None:
    actions = Counter(step["action"] for step in incident["timeline"])
    events = Counter((m.stream, short_type(m.type)) for m in own)
    doubled = [a for a in TIMELINE if actions[a] > 1]
    doubled += [f"{s} {t}" for (s, t), n in events.items() if n > 1]
    if doubled:
        verdict.fail("doubled", loop, "twice: " + ", ".join(doubled))
    if incident["status"] != "resolved":
        verdict.fail("stuck", loop, f"incident {incident['id']} is {incident['status']}")
        return
    missing = [a for a in TIMELINE if not actions[a]]
    missing += [f"{s} {t}" for s, types in EVENTS.items() for t in types if not events[(s, t)]]
    if missing:
        verdict.fail("missing", loop, f"incident {incident['id']} lacks " + ", ".join(missing))


def _late_marks(verdict: Verdict, loop: LoopRecord, incident: dict) -> None:
    marks = [s["detail"] for s in incident["timeline"] if s["action"] == "acknowledged"]
    for assignment in incident["assignments"]:
        at, by = assignment["acknowledged_at"], assignment["acknowledge_by"]
        if not (at and by and marks):
            continue
        late = datetime.fromisoformat(at) > datetime.fromisoformat(by)
        if late != marks[0].endswith("(late)"):
            verdict.fail("late_mismatch", loop, f"acknowledged at {at}, due {by}: {marks[0]!r}")


def _msg_ids_once(
    verdict: Verdict, messages: list[StreamMessage], ids: set[str], evidence: Evidence
) -> None:
    """A `Nats-Msg-Id` twice in one stream: JetStream's de-duplication window was outrun."""
    assignments = {
        a["id"] for i in evidence.incidents.values() if i for a in i.get("assignments", [])
    }
    own = _messages_of(messages, ids | assignments)
    for (stream, msg_id), n in Counter((m.stream, m.msg_id) for m in own if m.msg_id).items():
        if n > 1:
            verdict.fail("doubled", None, f"{stream} holds Nats-Msg-Id {msg_id} {n} times")


def _dispatch_order(verdict: Verdict, load: Load, evidence: Evidence) -> None:
    """The department signs for whistles in the order they were dispatched (story 7)."""
    assignments = {
        a["id"]
        for loop in load.acknowledged()
        if (incident := evidence.incidents.get(str(loop.incident_id)))
        for a in incident["assignments"]
    }
    dispatched = [
        m.data["data"]["assignment_id"]
        for m in evidence.messages
        if m.stream == "DISPATCH" and m.refers_to() & assignments
    ]
    position = {assignment: i for i, assignment in enumerate(dict.fromkeys(dispatched))}
    signed = [
        position[m.data["data"]["assignment_id"]]
        for m in evidence.messages
        if m.stream == "REPORTS"
        and short_type(m.type) == "departments.assignment.acknowledged"
        and m.data["data"].get("assignment_id") in position
    ]
    for before, after in pairwise(signed):
        if after < before:
            verdict.fail("misordered", None, f"whistle {after} signed for after whistle {before}")


def _messages_of(messages: list[StreamMessage], ids: set[str]) -> list[StreamMessage]:
    return [m for m in messages if m.refers_to() & ids]


def outage(load: Load, fault_started: float) -> float | None:
    """The longest time, from the fault on, in which no loop was acknowledged: what a client
    saw of the fault. None when nothing was acknowledged after it."""
    after = sorted(t for loop in load.loops if (t := loop.acknowledged_at) and t >= fault_started)
    if not after:
        return None
    points = [fault_started, *after]
    return max(b - a for a, b in pairwise(points))


def poison_recorded(sent: list[str], dead_letters: list[dict]) -> dict[str, list[str]]:
    """For each poison message sent (its Nats-Msg-Id), the reasons incidents' dead letters give
    for it: one each is right; none is lost, two doubled."""
    found: dict[str, list[str]] = {msg_id: [] for msg_id in sent}
    for letter in dead_letters:
        msg_id = (letter.get("headers") or {}).get("Nats-Msg-Id")
        if msg_id in found:
            found[msg_id].append(str(letter.get("reason", "")))
    return found
