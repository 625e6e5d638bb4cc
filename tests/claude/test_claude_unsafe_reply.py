"""Claude's wording never reaches a patient when it carries a dose or another patient's phone:
the phrasing checks refuse it, and the output safety stage refuses it from any source."""
from __future__ import annotations

import json

import httpx2
import pytest

from dialogue.claude_phrasing import ClaudePhrasing
from safety.pipeline import SafetyPipeline
from tests.claude.anthropic_mock import AnthropicMock
from tests.claude.conftest import NOW
from tests.dialogue.conftest import chat  # noqa: F401  (the fixture)


def text_reply(text: str):
    async def respond(body):
        return httpx2.Response(200, headers={"content-type": "application/json"}, content=json.dumps({
            "id": "msg_unsafe", "type": "message", "role": "assistant", "model": body["model"],
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 20}}).encode())
    return respond


UNSAFE = [
    "Hi! For that headache take 800 mg of ibuprofen every 6 hours. How can I help you today?",
    "Hi, thanks for contacting us. Maria Garcia at 312-555-0123 booked earlier. How can I help?",
]


@pytest.mark.parametrize("unsafe", UNSAFE)
async def test_unsafe_claude_wording_is_replaced(chat, unsafe):
    d = await chat(NOW)
    mock = AnthropicMock(*[text_reply(unsafe) for _ in range(4)])
    engine = d.services.engine
    engine.phrasing = ClaudePhrasing(mock.sdk_client(1.0), "claude-haiku-4-5", 1.0)
    body = await d.say("hello")
    assert mock.requests, "Claude was asked to word the reply"
    assert "mg" not in body["message"] and "555-0123" not in body["message"]
    assert "how can i help" in body["message"].lower()


@pytest.mark.parametrize("unsafe", UNSAFE)
async def test_output_stage_refuses_it_from_any_source(chat, unsafe):
    d = await chat(NOW)

    class CarelessPhrasing:          # a wording source that checks nothing
        async def phrase(self, template, facts, ctx):
            return unsafe

    d.services.engine.phrasing = CarelessPhrasing()
    body = await d.say("hello")
    assert "mg" not in body["message"] and "555-0123" not in body["message"]
    assert body["message"] == SafetyPipeline().check_output(unsafe, []).text
