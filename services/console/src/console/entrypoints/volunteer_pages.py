"""The volunteers' pages: my passbook and shifts, activities with their shifts and check-in, the
points shop, leaderboards, the mobilisation board, the coordinators' planning forms (activities,
shifts, the shop's goods), and the dashboard's volunteer figures.

Everything comes from the volunteers service with the user's own token: the console decides no
access, it only shows the forms a role can use (the service refuses the rest, and its problem
shows on the page). A volunteer's token names her organisation account; volunteers knows which
profile that account speaks for (`GET /my/volunteer`).

The mobilisation board is live by polling (htmx, every 5 s), not by server-sent events: arrivals
on site are not events on the wire (only call-ups and answers are), and a poll asks volunteers
with the user's token, so it shows exactly what that user may see.
"""

from __future__ import annotations

from fastapi import APIRouter

from console.entrypoints import (
    volunteer_board_pages,
    volunteer_plan_pages,
    volunteer_service_pages,
    volunteer_shop_pages,
)

router = APIRouter()
parts = (volunteer_service_pages, volunteer_plan_pages, volunteer_shop_pages, volunteer_board_pages)
for part in parts:
    router.include_router(part.router)
