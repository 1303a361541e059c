"""Personal contact data outside its owner's reach: a resident's (incidents) and a volunteer's
(volunteers) contact is masked wherever it leaves them unless they consented; one rule for both."""

from __future__ import annotations


def mask(contact: str) -> str:
    """Keep enough to recognise a number or address, never enough to reach the person.

    "13812345678" → "138****5678"; "li@example.cn" → "l*@example.cn"; short text → "****".
    """
    if not contact:
        return ""
    if "@" in contact:
        name, _, domain = contact.partition("@")
        return f"{name[:1]}{'*' * max(len(name) - 1, 1)}@{domain}"
    if len(contact) >= 7:
        return contact[:3] + "*" * (len(contact) - 7) + contact[-4:]
    return "****"
