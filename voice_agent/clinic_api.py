"""GET /api/v1/clinic: the caller's own clinic profile (never credentials or the key hash)."""
from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from storage.clinics import ClinicRepository
from voice_agent.web.context import get_current_clinic
from voice_agent.web.errors import ApiError


async def get_clinic(clinics: ClinicRepository, request: Request) -> JSONResponse:
    clinic = await clinics.by_id(get_current_clinic().id)
    if clinic is None:
        raise ApiError(404, "not_found", "Clinic not found.")
    return JSONResponse(clinic.public_profile())


def routes(clinics: ClinicRepository) -> list[BaseRoute]:
    return [Route("/clinic", partial(get_clinic, clinics), methods=["GET"])]
