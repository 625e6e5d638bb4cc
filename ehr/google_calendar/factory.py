"""The factory the composition root registers for `ehr_provider` "google".

`ehr_options` (not secret): `providers` (one calendar each), `patients_calendar_id`, optional
`subject`, `api_base`, `lead_minutes`, `business_hours` (default: the clinic's own week).
`ehr_credentials` (sealed): `service_account`, the JSON key file Google issued. See docs/ehr.md."""
from __future__ import annotations

from ehr.google_calendar.adapter import GoogleCalendarAdapter
from ehr.google_calendar.settings import GoogleSettings
from ehr.registry import FactoryContext


def make_google(ctx: FactoryContext) -> GoogleCalendarAdapter:
    config = {"business_hours": ctx.business_hours, **(ctx.options or {}), **(ctx.credentials or {})}
    return GoogleCalendarAdapter(GoogleSettings.from_config(config), ctx.clinic.id, ctx.http, now=ctx.now)
