"""`voice-agent call`: phone a running server as Twilio would and print a timed transcript.

    voice-agent call [--url URL (default: from HOST and PORT)] [--clinic-phone N] "line one" "dtmf:06301952" ...

The caller's lines are known text; the agent's side is audio only (as it is for Twilio). By default
each agent turn is shown by its length and reply latency; `--transcribe` adds a rough free-form
pocketsphinx transcript, decoded in a separate process: decoding in this one held the GIL for
seconds, the caller's audio stalled mid-line, and the server heard a pause and answered early.
`--save-audio call.wav` writes both sides to listen to.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable

import httpx

from channels.voice.simulator import AgentTurn, SimulatedCaller

_DECODER: Any = None          # one per transcription process


def transcribe(ulaw: bytes) -> str:
    """Free-form decoding of the agent's audio (rough, for orientation only). Runs in a worker process."""
    global _DECODER
    from channels.voice.speech.codec import ulaw_to_pcm16k
    if _DECODER is None:
        from pocketsphinx import Decoder
        _DECODER = Decoder(loglevel="ERROR")
    _DECODER.start_utt()
    _DECODER.process_raw(ulaw_to_pcm16k(ulaw), full_utt=True)
    _DECODER.end_utt()
    hyp = _DECODER.hyp()
    return hyp.hypstr if hyp else ""


def describe(turn: AgentTurn, text: str | None) -> str:
    seconds = len(turn.audio) / 8000
    said = f"{text or '(unintelligible)'}  ({seconds:.1f} s)" if text is not None else f"{seconds:.1f} s of speech"
    latency = f"  [reply began {turn.latency:.2f}s after the caller stopped]" if turn.latency is not None else ""
    cut = "  [interrupted]" if turn.cleared else ""
    return f"[+{turn.started:.2f}s] agent: {said}{latency}{cut}"


def _print(line: str) -> None:
    print(line, flush=True)


async def run_call(args: argparse.Namespace, auth_token: str, public_url: str,
                   say: Callable[[str], None] = _print) -> int:
    caller = SimulatedCaller(args.url, auth_token=auth_token, public_url=public_url, clinic_phone=args.clinic_phone,
                             from_phone=args.from_phone, log=say, speed=args.speed)
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) if args.transcribe else None
    printing: list[asyncio.Task] = []

    async def show(turn: AgentTurn) -> None:
        text = None
        if pool is not None:
            text = await asyncio.get_running_loop().run_in_executor(pool, transcribe, turn.audio)
        say(describe(turn, text))

    async def agent_turn() -> bool:
        turn = await caller.wait_for_agent(timeout=args.timeout)
        if turn is None:
            return False
        printing.append(asyncio.create_task(show(turn)))    # transcribing must not hold up the call
        await asyncio.sleep(0.3 / args.speed)               # a natural gap before answering
        return True

    try:
        twiml = await caller.dial()
        if not caller.stream_url:
            say(f"[+{caller.now():.2f}s] no media stream; TwiML was:\n{twiml}")
            return 1
        await caller.connect()
        await agent_turn()
        for line in args.lines:
            if caller._closed.is_set():
                break
            try:
                if line.startswith("dtmf:"):
                    await caller.dtmf(line[5:])
                else:
                    await caller.say(line)
            except Exception:                     # the server ended the stream meanwhile
                break
            if not await agent_turn():
                break
        if not caller._closed.is_set():
            await caller.hangup()
        else:
            say(f"[+{caller.now():.2f}s] stream ended; Twilio continues with:\n{await caller.after()}")
    finally:
        await caller.close()
        for task in printing:
            await task
        if pool is not None:
            pool.shutdown()
        if args.save_audio:
            caller.save_audio(args.save_audio)
            say(f"saved {args.save_audio}")
    latencies = [t.latency for t in caller.result.turns if t.latency is not None]
    if latencies:
        say(f"turns: {len(latencies)}, reply latency median {sorted(latencies)[len(latencies) // 2]:.2f}s, "
            f"max {max(latencies):.2f}s")
    return 0


def add_parser(sub) -> None:
    call = sub.add_parser("call", help="call a running server as Twilio would, speaking the given lines")
    call.add_argument("lines", nargs="*", help='what the caller says, in order; "dtmf:0630" sends keypad digits')
    call.add_argument("--url", help="where the server listens; default: the HOST and PORT settings")
    call.add_argument("--public-url", help="PUBLIC_BASE_URL of the server (signatures cover it); "
                                           "default: the PUBLIC_BASE_URL setting")
    call.add_argument("--clinic-phone", default="+13125550100", help="the clinic's number (Twilio's To)")
    call.add_argument("--from", dest="from_phone", default="+13125550199", help="the caller's number")
    call.add_argument("--save-audio", help="write both sides to this stereo WAV file")
    call.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each agent reply")
    call.add_argument("--transcribe", action="store_true",
                      help="add a rough free-form transcript of each agent turn (decoded in another process)")
    call.add_argument("--speed", type=float, default=1.0, help=argparse.SUPPRESS)   # tests: faster than real time


def server_url(host: str, port: int) -> str:
    """The address a server bound to HOST:PORT answers on (a wildcard bind is reached on loopback)."""
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def main(args: argparse.Namespace, settings) -> int:
    from voice_agent.web.settings import DEMO_TWILIO_AUTH_TOKEN
    token = settings.twilio_auth_token or DEMO_TWILIO_AUTH_TOKEN     # what `voice-agent demo` serves with
    args.url = args.url or server_url(settings.host, settings.port)
    try:
        return asyncio.run(run_call(args, token, args.public_url or settings.public_base_url))
    except (httpx.HTTPError, OSError, TimeoutError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
