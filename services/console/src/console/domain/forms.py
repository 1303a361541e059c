"""An API's problem+json answer turned into messages beside the form's own fields."""

from __future__ import annotations

# A field error in Chinese by the rule it breaks: pydantic's error types, and the services' own
# (`RuleBroken(type_=…)`), with the rule's figures from the error's `ctx`. An error of a type not
# here falls back to a Chinese sentence naming no rule rather than the validator's English.
ZH_BY_TYPE: dict[str, str] = {
    "missing": "必填",
    "string_too_short": "至少 {min_length} 个字",
    "string_too_long": "最多 {max_length} 个字",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文字",
    "too_short": "至少选 {min_length} 项",
    "too_long": "最多选 {max_length} 项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "literal_error": "不是可选的值",
    "enum": "不是可选的值",
    "bool_parsing": "应为是或否",
    "uuid_parsing": "编号格式不正确",
    "date_parsing": "日期格式不正确",
    "date_from_datetime_parsing": "日期格式不正确",
    "datetime_parsing": "时间格式不正确",
    "datetime_from_date_parsing": "时间格式不正确",
    "url_parsing": "网址格式不正确",
    "value_error": "取值不正确",
    "households_above_grid": "超过该网格的户数 ({households} 户)",
    "photo_too_large": "照片不能超过 {limit_mb} MB",
    "photo_type": "请选择照片 (JPEG、PNG、WebP 或 HEIC)",
    "photo_unreadable": "照片无法读取, 请换一张",
    "photo_count": "每个事件最多 {max} 张照片",
    "unknown_building": "不是该微网格的楼栋",
    "unknown_unit": "不是该楼栋的单元",
    "same_department": "请选择另一个部门",
    "department_taken": "该部门已在办理此事件",
    "deadline_not_later": "应晚于现在的办结时限",
    "ends_before_start": "应晚于开始时间",
    "not_ahead": "应晚于现在",
    "due_before_meeting": "应晚于会议时间",
    "shift_started": "班次已开始, 不能再取消",
    "shift_under_way": "已有志愿者签到, 班次已在进行",
    "shift_called_off": "该班次已取消",
    "item_retired": "该物品已下架",
}
ZH_UNKNOWN = "填写有误"


def error_message(error: dict, lang: str) -> str:
    """One problem `errors` entry as the user reads it: in English the API's own `detail`; in
    Chinese the wording of its `type`, with its figures filled in."""
    detail = str(error.get("detail", ""))
    if lang == "en":
        return detail
    wording = ZH_BY_TYPE.get(str(error.get("type", "")))
    if wording is None:
        return ZH_UNKNOWN
    try:
        return wording.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):  # a figure the wording needs is missing
        return ZH_UNKNOWN


def field_errors(
    problem: dict | None, fields: set[str], lang: str
) -> tuple[dict[str, str], str | None]:
    """({form field: message}, message for the form as a whole or None), in `lang`.

    The API names fields by its own body keys (`department_codes`, `affected_households`); the
    console's forms use the same names, so a field is matched by name, or by its first part for
    nested ones (`department_codes.0`). An error on a field the form lacks goes to the form as
    a whole, naming its field.
    """
    if not problem:
        return {}, None
    by_field: dict[str, str] = {}
    general: list[str] = []
    for error in problem.get("errors") or []:
        name = str(error.get("field", "")).split(".")[0]
        if name in fields:
            by_field.setdefault(name, error_message(error, lang))
        elif lang == "en":
            general.append(error_message(error, lang))
        else:
            general.append(f"{error.get('field', '')}: {error_message(error, lang)}")
    # The problem's own sentence is English: in Chinese it shows only when nothing else would.
    english_summary = lang == "en" and general and not by_field
    if not problem.get("errors") or english_summary:
        general.insert(0, problem.get("detail") or problem.get("title") or "")
    message = "; ".join(m for m in general if m) or None
    return by_field, message
