"""Claude phrasing: the template reply said more warmly, with every fact kept verbatim — or the template.

The engine decides what to say (templates in `dialogue.responses`, facts from its own data); this
only rewords it. The rewording is checked before use:

- every time, date, weekday, month, number and name in the template (and every fact string passed
  in `facts` that the template contains) must appear verbatim in the rewording;
- the rewording may add nothing that looks like a time, date, weekday, month, phone number, dollar
  amount or any other digits;
- it must be speakable: one paragraph, no markdown, lists, symbols, links or emoji; brief (not much
  longer than the template); a question stays a question.

Anything else — a timeout (hard, `timeout` seconds), an API error, an empty or failed rewording —
returns the template unchanged. Replies that hold anything that looks like personal data (phone
numbers, emails, long digit runs) are never sent. See docs/claude.md for the call site.
"""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Iterable

from dialogue.claude_understanding import basic_redact

log = logging.getLogger("dialogue.claude.phrasing")

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec")
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_RELATIVE_DAYS = "today|tomorrow|tonight|yesterday|noon|midnight"
_TIME = re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:[AaPp]\.?\s?[Mm]\.?)(?!\w)|\b\d{1,2}:\d{2}\b")
_DATE = re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b")
_MONTH_WORDS = _MONTHS.replace("May|", "")      # "May I have your name?" is not a date
_DAY_WORD = re.compile(rf"\b(?:{_WEEKDAYS}|{_MONTH_WORDS})\b|\b(?i:{_RELATIVE_DAYS})\b")
_DOLLARS = re.compile(r"\$\s?\d[\d,]*(?:\.\d+)?|\b\d[\d,]*(?:\.\d+)?\s?(?:dollars|USD)\b", re.I)
_NUMBER = re.compile(r"\+?\d[\d,.:/-]*\d|\d")
_FORBIDDEN = re.compile(r"[*#_`~<>\[\]{}|\\\n\r\t•]|https?://|www\.|^\s*(?:[-+]|\d+[.)])\s", re.M)
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF]")


def _norm(s: str) -> str:
    return " ".join(s.split())


def _flatten(facts: Any) -> Iterable[str]:
    if isinstance(facts, str):
        yield facts
    elif isinstance(facts, dict):
        for value in facts.values():
            yield from _flatten(value)
    elif isinstance(facts, (list, tuple, set)):
        for value in facts:
            yield from _flatten(value)


def must_keep(template: str, facts: dict[str, Any]) -> set[str]:
    """The strings of `template` that the rewording must repeat verbatim."""
    keep = {m.group(0).strip() for rx in (_TIME, _DATE, _DOLLARS, _NUMBER) for m in rx.finditer(template)}
    keep |= {m.group(0) for m in _DAY_WORD.finditer(template) if m.group(0)[0].isupper()}
    keep |= {f.strip() for f in _flatten(facts) if len(f.strip()) >= 2 and f.strip() in template}
    return {k for k in keep if k}


def problems(template: str, candidate: str, facts: dict[str, Any], channel: str = "voice") -> list[str]:
    """Why `candidate` may not replace `template` (empty when it may)."""
    out: list[str] = []
    if not candidate.strip():
        return ["empty"]
    for fact in sorted(must_keep(template, facts)):
        if fact not in candidate:
            out.append(f"dropped {fact!r}")
    lowered = template.lower()
    for rx in (_TIME, _DATE, _DOLLARS, _NUMBER):
        for m in rx.finditer(candidate):
            if m.group(0).strip() not in template:
                out.append(f"added {m.group(0)!r}")
    for m in _DAY_WORD.finditer(candidate):
        if m.group(0).lower() not in lowered:
            out.append(f"added {m.group(0)!r}")
    if basic_redact(candidate) != candidate and basic_redact(template) == template:
        out.append("added personal-looking data")
    if _FORBIDDEN.search(candidate) or _EMOJI.search(candidate):
        out.append("not speakable")
    if len(candidate) > max(int(len(template) * 1.6) + 40, 160):
        out.append("too long")
    if "?" in template and "?" not in candidate:
        out.append("the question was dropped")
    return out


class ClaudePhrasing:
    """`phrase()` never raises and never waits longer than `timeout` seconds."""

    def __init__(self, client: Any, model: str, timeout: float, *, max_tokens: int = 200) -> None:
        self.client, self.model, self.timeout, self.max_tokens = client, model, timeout, max_tokens

    @classmethod
    def from_settings(cls, settings: Any, http_client: Any = None, timeout: float | None = None) -> "ClaudePhrasing":
        import anthropic
        budget = timeout if timeout is not None else min(settings.claude_timeout_seconds, 1.0)
        client = anthropic.AsyncAnthropic(api_key=settings.anthropic_api_key, max_retries=0, timeout=budget,
                                          http_client=http_client)
        return cls(client, settings.claude_intent_model, budget)

    @staticmethod
    def system_prompt(channel: str, clinic_name: str | None) -> str:
        medium = {"voice": "It will be spoken aloud on a phone call by text-to-speech.",
                  "sms": "It will be sent as a short text message.",
                  "web": "It will be shown in the clinic's web chat."}.get(channel, "")
        clinic = f" at {clinic_name}" if clinic_name else ""
        return (
            f"You are the warm, professional receptionist{clinic}. Rephrase the receptionist's reply below so it "
            f"sounds natural, kind and brief. {medium} Rules: keep every name, day, date, time and number exactly "
            "as written; add no facts, no times, no dates, no numbers, no promises, no medical advice; keep any "
            "question as a question; plain sentences only, with no markdown, lists, bullet points, symbols, links "
            "or emoji; at most a few words longer than the original. Reply with the rephrased text only.")

    async def phrase(self, template_reply: str, facts: dict[str, Any], ctx: dict[str, Any]) -> str:
        channel = ctx.get("channel", "voice")
        if not template_reply.strip() or basic_redact(template_reply) != template_reply:
            return template_reply   # nothing to say, or it holds personal-looking data: never sent
        try:
            message = await asyncio.wait_for(self.client.messages.create(
                model=self.model, max_tokens=self.max_tokens,
                system=self.system_prompt(channel, ctx.get("clinic_name")),
                messages=[{"role": "user", "content": template_reply}]), self.timeout)
            text = "".join(getattr(b, "text", "") for b in message.content if getattr(b, "type", None) == "text")
        except asyncio.TimeoutError:
            log.warning("claude phrasing timed out", extra={"event": "phrasing_timeout"})
            return template_reply
        except Exception as exc:   # API status, connection, parsing: the template is always fine
            log.warning("claude phrasing failed", extra={"event": "phrasing_error", "error_type": type(exc).__name__})
            return template_reply
        candidate = _norm(text).strip().strip('"').strip()
        bad = problems(template_reply, candidate, facts, channel)
        if bad:
            log.warning("claude phrasing rejected", extra={"event": "phrasing_rejected", "problems": bad[:5]})
            return template_reply
        return candidate
