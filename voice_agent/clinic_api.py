"""GET /api/v1/clinic: the caller's own clinic profile (never credentials or the key hash)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from voice_agent.context import get_current_clinic
from voice_agent.errors import ApiError
from voice_agent.services import Services


async def get_clinic(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    clinic = await services.clinics.by_id(get_current_clinic().id)
    if clinic is None:
        raise ApiError(404, "not_found", "Clinic not found.")
    return JSONResponse(clinic.public_profile())


routes = [Route("/clinic", get_clinic, methods=["GET"])]
