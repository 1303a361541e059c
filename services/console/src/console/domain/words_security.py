"""The console's words for signing in safely: the wait after too many failures, the refused
form without its CSRF token, and the sign-in audit on the operations page."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "login.throttled": (
        "登录失败次数过多, 请 {wait} 后再试",
        "Too many failed sign-ins: try again in {wait}",
    ),
    "csrf": (
        "页面已过期, 请刷新页面后重新提交",
        "This page has expired: reload it and send the form again",
    ),
    "signins.title": ("登录记录", "Sign-ins"),
    "signins.at": ("时间", "When"),
    "signins.username": ("用户名", "Username"),
    "signins.address": ("来源地址", "From address"),
    "signins.result": ("结果", "Result"),
    "signins.reason": ("原因", "Reason"),
    "signins.result.succeeded": ("成功", "Succeeded"),
    "signins.result.failed": ("失败", "Failed"),
    "signins.result.throttled": ("被限制", "Throttled"),
    "signins.reason.unknown_account": ("无此账号", "No such account"),
    "signins.reason.wrong_password": ("密码错误", "Wrong password"),
    "signins.reason.inactive_account": ("账号已停用", "Account deactivated"),
    "signins.reason.not_a_person": ("非个人账号", "Not a person's account"),
    "signins.reason.account_throttled": (
        "该账号失败次数过多, 未校验密码",
        "Too many failures for the account: password not checked",
    ),
    "signins.reason.address_throttled": (
        "该地址失败次数过多, 未校验密码",
        "Too many failures from the address: password not checked",
    ),
}


def wait_words(seconds: int, lang: str) -> str:
    """A sign-in's wait as people say it: "30 秒", "2 分钟", "15 分钟" (rounded up: never
    promise a wait shorter than the real one)."""
    if seconds < 60:
        return f"{seconds} 秒" if lang != "en" else f"{seconds} s"
    minutes = -(-seconds // 60)
    return f"{minutes} 分钟" if lang != "en" else f"{minutes} min"
