"""What a fault run found: a table with a row per scenario, its details, `faults.json` and
`faults.md`. Every figure comes from the run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from lianxin.faults.checks import KINDS, Verdict


@dataclass
class Outcome:
    scenario: str
    what: str
    verdict: Verdict
    # Each loop the client stopped retrying before the platform acknowledged it, and why.
    gave_up: list[str]
    outage_s: float | None  # longest time without an acknowledged loop, from the fault on
    converged_s: float | None  # after the load, until every acknowledged loop read resolved
    client_errors: dict[str, int] = field(default_factory=dict)
    dead_letters: dict[str, object] = field(default_factory=dict)  # poison id -> reason(s)
    notes: list[str] = field(default_factory=list)  # what the fault found, e.g. which leader

    @property
    def held(self) -> bool:
        return self.verdict.held and not self.gave_up

    def summary(self) -> str:
        counts = ", ".join(f"{kind} {self.verdict.counts[kind]}" for kind in KINDS)
        return f"{'held' if self.held else 'FAILED'}: {counts}"

    def to_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "what": self.what,
            "held": self.held,
            "loops": self.verdict.loops,
            "acknowledged": self.verdict.acknowledged,
            "gave_up": len(self.gave_up),
            "gave_up_why": self.gave_up,
            **{kind: self.verdict.counts[kind] for kind in KINDS},
            "outage_s": _rounded(self.outage_s),
            "converged_s": _rounded(self.converged_s),
            "client_errors": self.client_errors,
            "dead_letters": self.dead_letters,
            "examples": self.verdict.examples,
            "notes": self.notes,
        }


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


COLUMNS = ("scenario", "loops", "acked", "gave up", *KINDS, "outage s", "converged s", "result")


def markdown(outcomes: list[dict]) -> str:
    """The table, then each scenario's client errors, dead letters and first failures."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for o in outcomes:
        cells = [
            o["scenario"],
            o["loops"],
            o["acknowledged"],
            o["gave_up"],
            *(o[kind] for kind in KINDS),
            _seconds(o["outage_s"]),
            _seconds(o["converged_s"]),
            "held" if o["held"] else "**FAILED**",
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    lines.append("")
    for o in outcomes:
        errors = ", ".join(f"{kind} ×{n}" for kind, n in sorted(o["client_errors"].items()))
        notes = "".join(f"; {note}" for note in o.get("notes", []))
        lines.append(
            f"- **{o['scenario']}** ({o['what']}{notes}): client errors: {errors or 'none'}"
        )
        for msg_id, reason in o["dead_letters"].items():
            lines.append(f"  - poison {msg_id}: dead letter {reason}")
        for why in o["gave_up_why"]:
            lines.append(f"  - gave up: {why}")
        for example in o["examples"]:
            lines.append(f"  - {example}")
    return "\n".join(lines) + "\n"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def write(outcomes: list[Outcome], settings: dict, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    rows = [o.to_dict() for o in outcomes]
    json_path, md_path = out / "faults.json", out / "faults.md"
    json_path.write_text(
        json.dumps({"settings": settings, "scenarios": rows}, ensure_ascii=False, indent=1) + "\n"
    )
    md_path.write_text(markdown(rows))
    return json_path, md_path
