"""The operators' words: the platform's services, streams and durable consumers by name, and the
trace view's (see `console.domain.i18n`). A service or consumer is shown by what it does; its
code stays in the page's markup (data attributes, titles) for those who grep logs by it."""

from __future__ import annotations

from collections.abc import Callable

from console.domain.names import Named

MESSAGES: dict[str, tuple[str, str]] = {
    "svc.console": ("控制台", "Console"),
    "svc.incidents": ("民情事件服务", "Incidents service"),
    "svc.organisation": ("组织架构服务", "Organisation service"),
    "svc.resources": ("资源项目服务", "Resources service"),
    "svc.volunteers": ("志愿服务", "Volunteers service"),
    "svc.department": ("部门系统", "department system"),
    "stream.ORG": ("组织架构变更", "Organisation changes"),
    "stream.REPORTS": ("部门回报", "Departments' reports"),
    "stream.DISPATCH": ("派单", "Dispatches"),
    "stream.INCIDENTS": ("民情事件", "Incident events"),
    "stream.RESOURCES": ("资源项目事件", "Resources events"),
    "stream.VOLUNTEERS": ("志愿服务事件", "Volunteers events"),
    "stream.DLQ": ("死信", "Dead letters"),
    "consumer.incidents_org": ("民情事件服务 · 同步网格与部门", "Incidents · grid and departments"),
    "consumer.incidents_reports": ("民情事件服务 · 接收部门回报", "Incidents · reports in"),
    "consumer.incidents_webhooks": ("民情事件服务 · 回调派单", "Incidents · dispatch by callback"),
    "consumer.resources_incidents": ("资源项目服务 · 战时吹哨", "Resources · wartime whistles"),
    "consumer.volunteers_incidents": ("志愿服务 · 吹哨与闭环", "Volunteers · whistles and closes"),
    "consumer.volunteers_wishes": ("志愿服务 · 微心愿办结", "Volunteers · wishes fulfilled"),
    "consumer.dead_letters": ("死信记录", "dead letters"),
    "consumer.department": ("接收派单", "takes its dispatches"),
    "trace.caused_by": ("源自", "follows from"),
    "trace.requested_in": ("发起请求的链路", "requested in trace"),
    "trace.statements": ("条数据库语句", "database statements"),
    "trace.show_statements": ("显示数据库语句", "Show database statements"),
    "trace.actor": ("操作人", "Actor"),
    "trace.kind.SERVER": ("处理请求", "handles a request"),
    "trace.kind.CLIENT": ("调用", "calls"),
    "trace.kind.PRODUCER": ("发出消息", "publishes"),
    "trace.kind.CONSUMER": ("处理消息", "processes a message"),
    "trace.kind.INTERNAL": ("内部步骤", "internal step"),
}

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
