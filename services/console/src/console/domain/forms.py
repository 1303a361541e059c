"""An API's problem+json answer turned into messages beside the form's own fields."""

from __future__ import annotations


def field_errors(problem: dict | None, fields: set[str]) -> tuple[dict[str, str], str | None]:
    """({form field: message}, message for the form as a whole or None).

    The API names fields by its own body keys (`department_codes`, `affected_households`); the
    console's forms use the same names, so a field is matched by name, or by its first part for
    nested ones (`department_codes.0`).
    """
    if not problem:
        return {}, None
    by_field: dict[str, str] = {}
    general: list[str] = []
    for error in problem.get("errors") or []:
        name = str(error.get("field", "")).split(".")[0]
        if name in fields:
            by_field.setdefault(name, error.get("detail", ""))
        else:
            general.append(error.get("detail", ""))
    if not problem.get("errors") or (general and not by_field):
        general.insert(0, problem.get("detail") or problem.get("title") or "")
    message = "; ".join(m for m in general if m) or None
    return by_field, message
