"""Google Calendar as a clinic calendar: one calendar per provider, freeBusy for availability, events
inserted with caller-chosen ids so that a retried booking is never a second booking."""
