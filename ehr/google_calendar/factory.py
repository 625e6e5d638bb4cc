"""The factory the composition root registers for `ehr_provider` "google"."""
from __future__ import annotations

from ehr.google_calendar.adapter import GoogleCalendarAdapter
from ehr.google_calendar.settings import GoogleSettings
from ehr.registry import FactoryContext


def make_google(ctx: FactoryContext) -> GoogleCalendarAdapter:
    return GoogleCalendarAdapter(GoogleSettings.from_config(ctx.credentials), ctx.clinic.id, ctx.http, now=ctx.now)
