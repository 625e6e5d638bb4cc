"""The test caller (`channels/voice/simulator.py`) against a scripted media socket on loopback: a
pause between two sentences of one reply is not the end of the agent's turn. On a loaded CI
machine the second sentence of "Thank you. Is this appointment for Maria?" came 0.2 s after the
first; at 16x the caller took that for the end of the reply, answered "yes" over the question,
and the call went off its script (a warm transfer test failed)."""
from __future__ import annotations

import asyncio
import base64
import json

from websockets.asyncio.server import serve

from channels.voice.simulator import FRAME, SimulatedCaller

SENTENCE = b"\x10" * FRAME * 5


async def _agent(ws, gap: float, marks: tuple[str, str]) -> None:
    """Says one reply of two sentences, `gap` s apart, each followed by its mark; reads the
    caller's stream throughout (as the server does)."""
    async def reply() -> None:
        for name in marks:
            payload = base64.b64encode(SENTENCE).decode()
            await ws.send(json.dumps({"event": "media", "streamSid": "MZ1", "media": {"payload": payload}}))
            await ws.send(json.dumps({"event": "mark", "streamSid": "MZ1", "mark": {"name": name}}))
            await asyncio.sleep(gap)
    replying: list[asyncio.Task] = []
    async for raw in ws:
        if json.loads(raw).get("event") == "start":
            replying.append(asyncio.create_task(reply()))
    for task in replying:
        task.cancel()


async def _turn(marks: tuple[str, str], gap: float = 0.5):
    async with serve(lambda ws: _agent(ws, gap, marks), "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        caller = SimulatedCaller(f"http://127.0.0.1:{port}", auth_token="t", clinic_phone="+13125550100", speed=16)
        caller.stream_url = f"ws://127.0.0.1:{port}/webhooks/twilio/media"
        await caller.connect()
        try:
            return await caller.wait_for_agent(timeout=10)
        finally:
            await caller.close()


async def test_a_pause_between_two_sentences_of_one_reply_does_not_end_the_agents_turn():
    turn = await _turn(("7:0/2", "7:1/2"))
    assert turn is not None and len(turn.audio) == 2 * len(SENTENCE), len(turn.audio)


async def test_the_same_pause_after_a_replys_last_sentence_ends_the_turn():
    turn = await _turn(("7:0/1", "8:0/1"))
    assert turn is not None and len(turn.audio) == len(SENTENCE), len(turn.audio)
