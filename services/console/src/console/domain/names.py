"""People read names, not codes: `taipingjie` is 太平街社区, `tpj-g01-m03` the micro-grid's name,
`power_supply` 供电公司. One lookup every page shares (see console.adapters.names), and the
words for the incidents service's timeline details, which it writes for machines ("→ power_supply,
property", "every assignment resolved", "unsatisfied: …").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from console.domain.i18n import MESSAGES


@dataclass(frozen=True)
class Names:
    """Names by code; a code nobody named is shown as it is (it may be what a user typed)."""

    communities: dict[str, str] = field(default_factory=dict)
    grid_nodes: dict[str, str] = field(default_factory=dict)
    departments: dict[str, tuple[str, str]] = field(default_factory=dict)  # (zh, en)

    def speaking(self, lang: str) -> Named:
        return Named(self, lang)


@dataclass(frozen=True)
class Named:
    """The names in one language: what templates call as `names.community(code)` and so on."""

    names: Names
    lang: str

    def community(self, code: str | None) -> str:
        return self.names.communities.get(code or "", code or "")

    def grid(self, code: str | None) -> str:
        """A grid node's name; a code the grid tree does not name (a wish recorded against a
        node since removed, say) as it is, marked as a code not to translate."""
        if not code or code in self.names.grid_nodes:
            return self.names.grid_nodes.get(code or "", "")
        return Markup('<span translate="no">{}</span>').format(code)

    def department(self, code: str | None) -> str:
        zh, en = self.names.departments.get(code or "", (code or "", ""))
        return (en or zh) if self.lang == "en" else zh

    def departments(self, codes: str) -> str:
        """ "power_supply, property" → "供电公司、物业服务中心"."""
        parts = [self.department(c.strip()) for c in codes.split(",") if c.strip()]
        return (", " if self.lang == "en" else "、").join(parts)

    def communities(self, codes: str) -> str:
        parts = [self.community(c.strip()) for c in codes.split(",") if c.strip()]
        return (", " if self.lang == "en" else "、").join(parts)


ACTORS = ("platform", "anonymous", "grid")  # incidents' own words for who did a step


def actor_words(actor: str, t: Callable[[str], str], names: Named) -> str:
    """Who did a step: a department by name, the platform, an anonymous resident or the grid
    (incidents' default reporter) in words; a person by the name they gave."""
    if actor.startswith("department:"):
        return names.department(actor.removeprefix("department:"))
    return t("actor." + actor) if actor in ACTORS else actor


# The platform's own processes: named by what they do (i18n's svc.*), a department's system by
# the department's name. Their codes stay in the markup (data attributes, titles) for logs.
SERVICES = ("console", "incidents", "organisation", "resources", "volunteers")


def service_words(service: str, t: Callable[[str], str], names: Named) -> str:
    """`incidents` → 民情事件服务, `department-power_supply` → 供电公司 部门系统."""
    if service in SERVICES:
        return t("svc." + service)
    if service.startswith("department-"):
        return f"{names.department(service.removeprefix('department-'))} {t('svc.department')}"
    return service


def consumer_words(durable: str, t: Callable[[str], str], names: Named) -> str:
    """A durable consumer by what it does: `dept_power_supply` → 供电公司 · 接收派单."""
    if f"consumer.{durable}" in MESSAGES:
        return t(f"consumer.{durable}")
    if durable.startswith("dept_"):
        return f"{names.department(durable.removeprefix('dept_'))} · {t('consumer.department')}"
    if durable.endswith("_dead_letters"):
        service = durable.removesuffix("_dead_letters")
        return f"{service_words(service, t, names)} · {t('consumer.dead_letters')}"
    return durable


_LATE = re.compile(r"^(?P<text>.*?) ?\(late\)$", re.S)
_BREACH = re.compile(r"^(?P<code>[^:]+): (?P<kind>\w+) by (?P<due>\S+) missed → (?P<rung>\w+)$")
_MERGED = re.compile(r"^[0-9a-f-]{36}: \+(?P<h>\d+) households, \+(?P<m>\d+) merchants$")
_RATING = re.compile(
    r"^(?P<rating>satisfied|basically_satisfied|unsatisfied)(?:: (?P<c>.*))?$", re.S
)


def timeline_detail(
    action: str,
    detail: str | None,
    names: Named,
    t: Callable[[str], str],
    when: Callable[[str], str],
) -> str:
    """A timeline line's detail in the reader's words. incidents writes some details for
    machines (codes, English); the rest are what a person typed, shown as typed."""
    text = (detail or "").strip()
    if not text:
        return ""
    colon = ": " if names.lang == "en" else "："
    if action == "escalated" and text.startswith("→ "):
        codes, wartime = text[2:], text.endswith(" (wartime)")
        codes = codes.removesuffix(" (wartime)")
        return "→ " + names.departments(codes) + (f" ({t('incident.wartime')})" if wartime else "")
    if action == "rerouted" and " → " in text:
        old, new = text.split(" → ", 1)
        return f"{names.department(old)} → {names.department(new)}"
    if action == "resolved" and text == "every assignment resolved":
        return t("timeline.every_resolved")
    if action in ("closed", "reopened") and (m := _RATING.match(text)):
        said = t("rating." + m["rating"])
        return said + (colon + m["c"] if m["c"] else "")
    if action == "shared" and text.startswith("+ "):
        codes, _, reason = text[2:].partition(": ")
        return "+ " + names.communities(codes) + (colon + reason if reason else "")
    if action == "merged_into":
        return ""  # the incident's id: the page links the incident it went into
    if action == "merged" and (m := _MERGED.match(text)):
        return f"+{m['h']} {t('grid.households')} · +{m['m']} {t('grid.merchants')}"
    if action in ("overdue", "ladder_climbed") and (m := _BREACH.match(text)):
        by = "acknowledge_by" if m["kind"] == "acknowledge" else "resolve_by"
        limit = t("incident." + by)
        return (
            f"{names.department(m['code'])}{colon}{limit} {when(m['due'])} "
            f"{t('timeline.missed')} → {t('rung.' + m['rung'])}"
        )
    if m := _LATE.match(text):  # a department's note, signed for or resolved after the limit
        return f"{m['text']} ({t('incident.overdue')})".strip()
    return text
