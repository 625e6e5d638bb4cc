"""The call loop with a warm transfer (channels/voice/transfer.py) around its handoff, and the call a
missed transfer comes back to.

`TransferringCall` rings the desk as soon as the engine hands the call off (a crisis rings while its
911 / 988 reply is still being spoken) and, once that reply was heard to its end, moves the caller
out of the stream into the conference. A caller who hangs up first makes the handoff `missed`.

`ReturnedCall` is the new Media Stream of a call whose transfer nobody took: same CallSid, same
conversation. The assistant offers a call-back or takes a message, records it on the handoff, and
says goodbye; a "yes" (or key 1) is a request to be called back, anything else is the message.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Any

from channels.voice.call import CallSession, Playback
from channels.voice.transfer import WarmTransfer
from dialogue.engine import EngineReply

log = logging.getLogger("channels.voice.transfer")
OFFER = ("I'm sorry, nobody at the front desk could take your call just now. Would you like them to call you "
         "back at the number you're calling from? Or tell me a message and I'll pass it on.")
ASK_MESSAGE = "Okay. What message would you like me to pass on to the front desk?"
CALL_BACK_MESSAGE = "The caller asked to be called back."
THANKS = "Thank you. I've passed that on, and someone from the front desk will call you back. Goodbye."
_CALL_BACK = re.compile(
    r"^(yes|yeah|yep|sure|please|ok(ay)?|call me( back)?|call back|i'd like to speak to a person)\b", re.I)
_NO = re.compile(r"^(no|nope|no thanks?)\b[ .!]*$", re.I)


class TransferringCall(CallSession):
    def __init__(self, *args: Any, warm: WarmTransfer | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.warm = warm
        self._transfer: asyncio.Task | None = None

    def apply_reply(self, reply: EngineReply) -> None:
        super().apply_reply(reply)
        if reply.handoff and self.warm is not None and self._transfer is None:
            self._transfer = asyncio.create_task(self.warm.begin(self.info.clinic, self.call_sid, reply),
                                                 name="call-transfer")

    async def before_close(self) -> None:
        handoff_id = None
        if self._transfer is not None:
            with contextlib.suppress(Exception):
                handoff_id = await asyncio.shield(self._transfer)
        if handoff_id is not None:
            try:
                if self.outcome == "handoff":
                    moved = await self.warm.caller_heard_handoff(self.clinic_id, handoff_id, self.call_sid)
                    self.note("transfer", moved=moved)
                elif self.outcome != "replaced":      # (a reconnect of the same call carries on)
                    await self.warm.caller_left(self.clinic_id, handoff_id)
            except Exception:
                log.exception("transfer step failed", extra={"event": "transfer_failed"})


class ReturnedCall(CallSession):
    def __init__(self, *args: Any, warm: WarmTransfer, handoff_id: str, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.warm, self.handoff_id = warm, handoff_id
        self.asked_message = False

    async def greet(self) -> None:
        await self._ask(OFFER, "confirm")

    async def _ask(self, text: str, expecting: str | None) -> None:
        self.expecting, self.last_reply, self.options_offered = expecting, text, 0
        self.listen_for("yes_no" if expecting == "confirm" else "opening")
        await self.play(Playback(text, kind="transfer_missed", engine_turn=False))

    async def take_turn(self, text: str, timing: dict[str, float]) -> None:
        said = text.strip()
        if not self.asked_message and _NO.match(said):
            self.asked_message = True
            await self._ask(ASK_MESSAGE, None)
            return
        redacted, crisis = self.engine.screen(said)        # what staff read never holds a DOB or a number
        message = CALL_BACK_MESSAGE if not self.asked_message and _CALL_BACK.match(said) else redacted
        if crisis is not None:
            message = f"URGENT, the caller's words raised a safety alarm: {redacted}"
        recorded = await self.warm.take_message(self.clinic_id, self.handoff_id, message)
        self.note("transfer_message", recorded=recorded, crisis=crisis is not None)
        if crisis is not None:        # the help lines, whole, before anything else (911 / 988 first)
            await self.play(Playback(crisis, kind="reply", after="hangup", engine_turn=False, must_finish=True))
            return
        await self.play(Playback(THANKS, kind="goodbye", after="hangup", engine_turn=False))


async def session_kind(warm: WarmTransfer | None, clinic_id: str, call_sid: str,
                       params: dict) -> tuple[type[CallSession], dict[str, Any]]:
    """The session class for a new Media Stream: a call back from a missed transfer (the TwiML's
    `transfer=missed` parameter, and the call's handoff really is missed), else the usual call."""
    if warm is None:
        return CallSession, {}
    if params.get("transfer") == "missed":
        handoff = await warm.handoffs.find_by_call(clinic_id, call_sid)
        if handoff is not None and handoff.status == "missed":
            return ReturnedCall, {"warm": warm, "handoff_id": handoff.id}
    return TransferringCall, {"warm": warm}
