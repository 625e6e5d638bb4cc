"""Claude as a second opinion on what a message means — never the authority.

The embedded understanding answers alone when it is confident; Claude is asked only when it is
not, through the `anthropic` SDK with a forced tool call whose JSON schema is intent + slots.
A hard timeout bounds the wait; any failure (timeout, overload, malformed output) falls back to
the embedded result. Claude's output is validated like user input: if any field is invalid
(unknown provider id, impossible or past date, wrong type, unknown intent) the whole answer is
discarded and the embedded result stands. Text is redacted before it leaves, and answers to the
identity questions (name, date of birth, phone) never leave at all. See docs/claude.md.
"""
from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any, Callable

import anthropic

from dialogue.nlu.types import Intent, NLUContext, NLUResult

log = logging.getLogger("dialogue.claude")

_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_LONG_DIGITS = re.compile(r"\d{6,}")
_NUMERIC_DATE_WITH_YEAR = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}\b|\b(?:19|20)\d{2}-\d{1,2}-\d{1,2}\b")
_DIGIT_WORD = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|double|triple)"
_SPOKEN_DIGITS = re.compile(rf"\b{_DIGIT_WORD}(?:[\s,.-]+{_DIGIT_WORD}){{5,}}\b", re.I)

# Questions whose answers are identity data: the embedded parser handles them, nothing is sent.
PRIVATE_QUESTIONS = frozenset({"patient_name", "date_of_birth", "phone"})
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504, 529})
MAX_REASON = 200


def basic_redact(text: str) -> str:
    """Emails, phone numbers, numeric dates with a year, runs of 6+ digits (typed or spoken) never leave."""
    text = _EMAIL.sub("<EMAIL_ADDRESS>", text)
    text = _NUMERIC_DATE_WITH_YEAR.sub("<DATE>", text)
    text = _PHONE.sub("<PHONE_NUMBER>", text)
    text = _SPOKEN_DIGITS.sub("<NUMBER>", text)
    return _LONG_DIGITS.sub("<NUMBER>", text)


def pipeline_redact(pii: Any | None) -> Callable[[str], str]:
    """The safety pipeline's Presidio redaction (``pii``: its `PIIDetector`, passed in by the composition
    root), then `basic_redact` as a floor (the safety seam). No detector: the regex floor alone."""
    if pii is None:
        log.warning("presidio unavailable for claude redaction", extra={"event": "claude_redact_basic"})
        return basic_redact

    def redact(text: str) -> str:
        findings = pii.detect(text)
        return basic_redact(pii.redact(text, findings).text if findings else text)
    return redact


TOOL = {
    "name": "record_understanding",
    "description": "Record what the patient's latest message means for the clinic receptionist.",
    "input_schema": {
        "type": "object",
        "required": ["intent", "confidence"],
        "properties": {
            "intent": {"type": "string", "enum": [i.value for i in Intent]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "provider_id": {"type": "string", "description": "id from the roster, only if clearly meant"},
            "specialty": {"type": "string"},
            "date": {"type": "string", "description": "YYYY-MM-DD in the clinic's calendar"},
            "time": {"type": "string", "description": "HH:MM, 24-hour, clinic local"},
            "part_of_day": {"type": "string", "enum": ["morning", "afternoon", "evening"]},
            "yes_no": {"type": "boolean"},
            "reason": {"type": "string"},
            "info_topic": {"type": "string", "enum": ["hours", "address", "phone", "providers"]},
        },
    },
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM = re.compile(r"^\d{2}:\d{2}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PARTS_OF_DAY = ("morning", "afternoon", "evening")
INFO_TOPICS = ("hours", "address", "phone", "providers")
# which validated field answers which question the receptionist asked
ANSWERS = {"provider": ("provider_id", "specialty"), "date": ("date",), "time": ("time", "part_of_day"),
           "confirm": ("yes_no",), "reason": ("reason",)}


class InvalidAnswer(ValueError):
    """Claude's tool input failed validation; the field is the message."""


def validate(data: Any, ctx: NLUContext) -> dict[str, Any]:
    """Claude's tool input checked like a form a patient filled in; raises InvalidAnswer on any bad field.

    Returns typed values (Intent, float, date, time, str, bool); absent and null fields are left out.
    """
    if not isinstance(data, dict):
        raise InvalidAnswer("input")
    out: dict[str, Any] = {}
    intent = data.get("intent")
    if not isinstance(intent, str) or intent not in {i.value for i in Intent}:
        raise InvalidAnswer("intent")
    out["intent"] = Intent(intent)
    confidence = data.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
        raise InvalidAnswer("confidence")
    out["confidence"] = float(confidence)

    def field(name: str, kind: type) -> Any:
        value = data.get(name)
        if value is None:
            return None
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise InvalidAnswer(name)
        return value

    if (provider_id := field("provider_id", str)) is not None:
        if provider_id not in {p.id for p in ctx.roster}:
            raise InvalidAnswer("provider_id")
        out["provider_id"] = provider_id
    if (specialty := field("specialty", str)) is not None:
        known = {p.specialty.lower(): p.specialty for p in ctx.roster if p.specialty}
        if specialty.strip().lower() not in known:
            raise InvalidAnswer("specialty")
        out["specialty"] = known[specialty.strip().lower()]
    if (raw_date := field("date", str)) is not None:
        try:
            day = date.fromisoformat(raw_date) if _ISO_DATE.match(raw_date) else None
        except ValueError:
            day = None
        if day is None or not ctx.today <= day <= ctx.today + timedelta(days=366):
            raise InvalidAnswer("date")
        out["date"] = day
    if (raw_time := field("time", str)) is not None:
        try:
            at = time.fromisoformat(raw_time) if _HHMM.match(raw_time) else None
        except ValueError:
            at = None
        if at is None:
            raise InvalidAnswer("time")
        out["time"] = at
    if (part := field("part_of_day", str)) is not None:
        if part not in PARTS_OF_DAY:
            raise InvalidAnswer("part_of_day")
        out["part_of_day"] = part
    if (yes_no := field("yes_no", bool)) is not None:
        out["yes_no"] = yes_no
    if (topic := field("info_topic", str)) is not None:
        if topic not in INFO_TOPICS:
            raise InvalidAnswer("info_topic")
        out["info_topic"] = topic
    if (reason := field("reason", str)) is not None:
        reason = " ".join(_CONTROL.sub(" ", reason).split())[:MAX_REASON]
        if reason:
            out["reason"] = reason
    return out


class ClaudeUnderstanding:
    def __init__(self, client: anthropic.AsyncAnthropic, embedded: Any, *, model: str, fallback_model: str | None,
                 threshold: float, timeout: float, redact: Callable[[str], str] = basic_redact) -> None:
        self.client, self.embedded = client, embedded
        self.model, self.fallback_model = model, fallback_model
        self.threshold, self.timeout, self.redact = threshold, timeout, redact

    @classmethod
    def from_settings(cls, settings: Any, embedded: Any, http_client: Any = None,
                      redact: Callable[[str], str] | None = None, pii: Any | None = None) -> "ClaudeUnderstanding":
        """`http_client` is an `httpx2.AsyncClient` (tests pass one on a MockTransport); `pii`: the safety
        pipeline's PII detector, which redacts what is sent (unless `redact` is given)."""
        client = anthropic.AsyncAnthropic(api_key=settings.anthropic_api_key, max_retries=0,
                                          timeout=settings.claude_timeout_seconds, http_client=http_client)
        return cls(client, embedded, model=settings.claude_intent_model,
                   fallback_model=settings.claude_fallback_model,
                   threshold=settings.claude_intent_confidence_threshold, timeout=settings.claude_timeout_seconds,
                   redact=redact or pipeline_redact(pii))

    def wants_claude(self, local: NLUResult, ctx: NLUContext) -> bool:
        return local.confidence < self.threshold and ctx.expecting not in PRIVATE_QUESTIONS

    async def understand_async(self, text: str, ctx: NLUContext) -> NLUResult:
        local = self.embedded.understand(text, ctx)
        if not self.wants_claude(local, ctx):
            return local
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        for model in filter(None, dict.fromkeys((self.model, self.fallback_model))):
            remaining = deadline - loop.time()
            if remaining <= 0.05:
                break
            try:
                data = await asyncio.wait_for(self._ask(model, text, ctx), remaining)
            except (asyncio.TimeoutError, anthropic.APITimeoutError):
                log.warning("claude timed out", extra={"event": "claude_timeout", "model": model})
                break
            except anthropic.APIStatusError as exc:
                log.warning("claude error", extra={"event": "claude_status", "status": exc.status_code,
                                                   "model": model})
                if exc.status_code in RETRYABLE_STATUS:
                    continue   # overloaded or rate-limited: the fallback model, if time remains
                break
            except anthropic.APIError as exc:
                log.warning("claude unreachable", extra={"event": "claude_error", "error_type": type(exc).__name__})
                break
            except Exception:   # whatever the SDK or the wire throws, the patient still gets an answer
                log.exception("claude call failed", extra={"event": "claude_error"})
                break
            if data is None:
                break
            return self.merge(local, data, ctx)
        return local

    def system_prompt(self, ctx: NLUContext) -> str:
        roster = "\n".join(f"- id={p.id}: {p.title} {p.first_name} {p.last_name}, {p.specialty}" for p in ctx.roster)
        return (
            "You classify one message sent to a medical clinic's receptionist. You never book, cancel or invent "
            "appointments; you only report what the message means, using the tool. Fill a field only when the "
            "message clearly says it; leave it out otherwise. Placeholders like <PHONE_NUMBER> stand for redacted "
            f"personal data. Today in the clinic is {ctx.today.isoformat()} ({ctx.today.strftime('%A')}). "
            f"The receptionist just asked for: {ctx.expecting or 'nothing in particular'}. "
            f"Providers:\n{roster}")

    async def _ask(self, model: str, text: str, ctx: NLUContext) -> dict[str, Any] | None:
        message = await self.client.messages.create(
            model=model, max_tokens=300, system=self.system_prompt(ctx), tools=[TOOL],
            tool_choice={"type": "tool", "name": TOOL["name"]},
            messages=[{"role": "user", "content": self.redact(text)}])
        for block in message.content:
            if getattr(block, "type", None) == "tool_use" and getattr(block, "name", None) == TOOL["name"]:
                return block.input if isinstance(block.input, dict) else {"__invalid__": block.input}
        log.warning("claude returned no tool call", extra={"event": "claude_malformed",
                                                           "stop_reason": getattr(message, "stop_reason", None)})
        return None

    def merge(self, local: NLUResult, data: dict[str, Any], ctx: NLUContext) -> NLUResult:
        """Validate Claude's answer like user input, then let it fill what the embedded result lacks.

        One invalid field discards the whole answer: a model that names a provider who does not
        exist, or a day that is not on the calendar, is not trusted for the rest either.
        """
        try:
            ok = validate(data, ctx)
        except InvalidAnswer as bad:
            log.warning("claude answer rejected", extra={"event": "claude_invalid", "field": str(bad)})
            return local
        out = replace(local, provider_ambiguous=list(local.provider_ambiguous))
        if ok["confidence"] > local.confidence:
            out.intent, out.confidence = ok["intent"], ok["confidence"]
        filled = set()
        if out.provider_id is None and "provider_id" in ok:
            out.provider_id, out.specialty, out.provider_ambiguous = ok["provider_id"], None, []
            filled.add("provider_id")
        elif out.provider_id is None and out.specialty is None and "specialty" in ok:
            out.specialty = ok["specialty"]
            filled.add("specialty")
        for name in ("date", "time", "part_of_day", "yes_no", "info_topic", "reason"):
            if getattr(out, name) is None and name in ok:
                setattr(out, name, ok[name])
                filled.add(name)
        if "date" in filled:
            out.date_range, out.weekday = None, None
        if not out.answers_expected and filled & set(ANSWERS.get(ctx.expecting or "", ())):
            out.answers_expected = True
        return out
