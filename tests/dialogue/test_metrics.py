"""What operators see in /metrics after conversations: no PHI, the seed's section 10.3 series."""
from __future__ import annotations

from datetime import datetime

import httpx

NOW = datetime.fromisoformat("2027-03-05T09:00:00-06:00")


async def test_metrics_after_conversations(chat):
    d = await chat(NOW)
    await d.say("I'd like to book with Dr. Raman next Tuesday morning")
    await d.say("I have a bottle of pills and I want to end my life tonight")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=d.app), base_url="https://t") as c:
        text = (await c.get("/metrics")).text
    assert 'receptionist_safety_blocks_total{action="escalate",stage="crisis"}' in text
    assert 'receptionist_intent_classification_seconds_count{engine="embedded"}' in text
    active = [line for line in text.splitlines() if line.startswith("receptionist_active_sessions ")]
    assert active and float(active[0].split()[1]) >= 1
    assert "Raman" not in text and "pills" not in text and d.session_id not in text
