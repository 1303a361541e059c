"""The console process: `uvicorn console.entrypoints.app:app`.

A backend-for-frontend: it keeps no database of its own and asks the services over HTTP.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from lianxin.service import Runtime, create_service_app, runtime

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
router = APIRouter()

STATUS_LABELS = {"reported": "已上报", "escalated": "已吹哨", "resolved": "已办结"}
URGENCY_LABELS = {
    "emergency": "紧急",
    "utilities": "水电气暖",
    "general": "一般",
    "complex": "复杂",
}


@router.get("/", response_class=HTMLResponse)
async def incidents_page(request: Request, rt: Runtime = Depends(runtime)) -> HTMLResponse:
    async with httpx.AsyncClient(base_url=rt.settings.service_url("incidents"), timeout=5) as http:
        response = await http.get("/incidents")
        response.raise_for_status()
    return templates.TemplateResponse(
        request,
        "incidents.html",
        {
            "incidents": response.json(),
            "status_labels": STATUS_LABELS,
            "urgency_labels": URGENCY_LABELS,
        },
    )


app = create_service_app("console", title="Lianxin console", metadata=None, routers=[router])
