"""The handoff queue for the clinic's own systems, under /api/v1 (API key + tenant + rate limit).

    GET  /handoffs?status=open|ringing|connected|missed|claimed|closed   {"handoffs": [...]}
    POST /handoffs/{id}/claim                                           the record, claimed
    POST /handoffs/{id}/close   {"note"?: "..."}                         the record, closed

Another clinic's id (or a malformed one) is 404 and changes nothing; a move the record's status
does not allow (closing a closed one) is 409. Callback numbers are masked here: the full number is
shown only on the signed-in staff page.
"""
from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from storage.handoffs import STATUSES, HandoffStore, claim, close
from voice_agent.web.body_limit import body_limit
from voice_agent.web.context import get_current_clinic
from voice_agent.web.errors import ApiError
from voice_agent.web.safe_input import read_json_object

MAX_BODY = 16_384
MAX_NOTE = 2000
API_ACTOR = "clinic API"


async def list_handoffs(store: HandoffStore, request: Request) -> JSONResponse:
    status = request.query_params.get("status")        # absent: all; present, it must name a status
    if status is not None and status not in STATUSES:
        raise ApiError(400, "bad_request", f"status must be one of: {', '.join(STATUSES)}.", extra={"field": "status"})
    found = await store.list(get_current_clinic().id, status)
    return JSONResponse({"handoffs": [h.to_json() for h in found]})


async def _move(store: HandoffStore, request: Request, to: str) -> JSONResponse:
    clinic_id, handoff_id = get_current_clinic().id, request.path_params["handoff_id"]
    note = None
    if to == "closed":
        body = await read_json_object(request, required=False, json_type=False)
        note = body.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
            raise ApiError(400, "validation_error", f"note must be a string of at most {MAX_NOTE} characters.",
                           extra={"field": "note"})
    current = await store.get(clinic_id, handoff_id)
    if current is None:
        raise ApiError(404, "not_found", "Handoff not found.")
    if to == "claimed":
        moved = await claim(store, clinic_id, handoff_id, API_ACTOR)
    else:
        moved = await close(store, clinic_id, handoff_id, note, API_ACTOR)
    if moved is None:
        raise ApiError(409, "conflict", f"A handoff that is {current.status} cannot be {to}.",
                       extra={"status": current.status})
    return JSONResponse(moved.to_json())


def routes(store: HandoffStore) -> list[BaseRoute]:
    return [Route("/handoffs", partial(list_handoffs, store), methods=["GET"]),
            Route("/handoffs/{handoff_id}/claim", partial(_move, store, to="claimed"), methods=["POST"],
                  middleware=[body_limit(MAX_BODY)]),
            Route("/handoffs/{handoff_id}/close", partial(_move, store, to="closed"), methods=["POST"],
                  middleware=[body_limit(MAX_BODY)])]
