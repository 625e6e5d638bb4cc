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
import contextlib
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx

from channels.voice.simulator import AgentTurn, SimulatedCaller
from channels.voice.standin_legs import DESK_MODES

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
                   say: Callable[[str], None] = _print, desk: Any = None) -> int:
    """One call; `desk` replaces the `--front-desk` mode's phone (tests)."""
    caller = SimulatedCaller(args.url, auth_token=auth_token, public_url=public_url, clinic_phone=args.clinic_phone,
                             from_phone=args.from_phone, log=say, speed=args.speed)
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) if args.transcribe else None
    printing: list[asyncio.Task] = []

    async def show(turn: AgentTurn) -> None:
        text = None
        if pool is not None:
            text = await asyncio.get_running_loop().run_in_executor(pool, transcribe, turn.audio)
        say(describe(turn, text))

    moves_before = [0]       # the caller's stream moves (transfers) before the caller's last line

    last_turn: list[AgentTurn | None] = [None]

    async def agent_turn() -> bool:
        turn = await caller.wait_for_agent(timeout=args.timeout)
        if turn is None:
            return False
        last_turn[0] = turn
        printing.append(asyncio.create_task(show(turn)))    # transcribing must not hold up the call
        await asyncio.sleep(0.3 / args.speed)               # a natural gap before answering
        return True

    standin = await start_front_desk(args, caller, auth_token, public_url, say, desk)

    async def transferred() -> bool:
        """The stream ended by a transfer: follow it; True when the caller is back with the assistant."""
        if standin is None or not caller.moves:
            return False
        await asyncio.wait_for(standin.settled.wait(), timeout=args.timeout)
        if standin.outcome == "connected":
            say(f"[+{caller.now():.2f}s] the caller is talking with the front desk")
            await asyncio.sleep(2.0 / args.speed)
            await standin.hangup_caller()
            return False
        if standin.outcome != "stream":
            return False
        # the assistant's first words on the new socket may be the turn already heard (a desk that
        # declined at once moved the caller before the transfer's own reply reached them)
        heard = last_turn[0] is not None and last_turn[0].started >= caller.connected_at
        return heard or await agent_turn()

    followed = 0

    async def go_on() -> bool:
        """After an agent turn: may the caller say the next line? When the desk was just rung (a
        handoff), the stream is about to be moved: wait for that and follow the transfer. The move
        is counted, not awaited as the socket's close: a desk that declines at once sends the
        caller back on a new socket before this looks (then waiting for a close waited out
        `--timeout` on the new one, and the caller said nothing for a minute)."""
        nonlocal followed
        if standin is not None and standin.desk_calls > followed:
            followed = standin.desk_calls
            deadline = asyncio.get_running_loop().time() + args.timeout
            while caller.moves <= moves_before[0] and not caller._closed.is_set() \
                    and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.02)
            return await transferred()
        return not caller._closed.is_set()

    try:
        twiml = await caller.dial()
        if not caller.stream_url:
            say(f"[+{caller.now():.2f}s] no media stream; TwiML was:\n{twiml}")
            return 1
        await caller.connect()
        alive = await agent_turn() and await go_on()
        for line in args.lines:
            if not alive:
                break
            moves_before[0] = caller.moves         # a transfer this line asks for moves the stream after it
            try:
                if line.startswith("dtmf:"):
                    await caller.dtmf(line[5:])
                else:
                    await caller.say(line)
            except Exception:                     # the server ended the stream meanwhile
                break
            alive = await agent_turn() and await go_on()
        if standin is not None and not caller._closed.is_set():     # a goodbye closes the stream just after
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                await caller.wait_closed(timeout=3.0)
        if not caller._closed.is_set():
            await caller.hangup()
        elif not caller.redirected and (standin is None or standin.outcome != "connected"):
            say(f"[+{caller.now():.2f}s] stream ended; Twilio continues with:\n{await caller.after()}")
        if standin is not None:
            await standin.hangup_caller()
            await standin.calls_ended(timeout=args.timeout)
            await asyncio.sleep(0.5 / args.speed)          # the last status callbacks
    finally:
        if standin is not None:
            await standin.stop()
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


async def start_front_desk(args: argparse.Namespace, caller: SimulatedCaller, auth_token: str, public_url: str,
                           say: Callable[[str], None], desk: Any = None):
    """With `--front-desk`, the stand-in for Twilio's REST API the server sends its calls to
    (TWILIO_API_BASE_URL), playing the desk's phone; None without it."""
    if not args.front_desk:
        return None
    from channels.voice.standin_legs import DeskPhone
    from channels.voice.twilio_standin import TwilioStandIn
    if not args.twilio_api_url:
        raise ValueError("--front-desk needs TWILIO_API_BASE_URL: the address the server sends Twilio REST calls to")
    where = urlsplit(args.twilio_api_url)
    standin = TwilioStandIn(auth_token=auth_token, server_url=args.url, public_url=public_url,
                            desk=desk or DeskPhone(args.front_desk), speed=args.speed, log=say)
    await standin.start(where.hostname or "127.0.0.1", where.port or 80)
    standin.attach_caller(caller)
    return standin


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
    call.add_argument("--front-desk", choices=DESK_MODES,
                      help="play the front desk's phone for a transfer, through a stand-in for Twilio's REST API "
                           "listening at TWILIO_API_BASE_URL (the server must use the same setting)")
    call.add_argument("--twilio-api-url", help="where the stand-in listens; default: the TWILIO_API_BASE_URL setting")
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
    args.twilio_api_url = args.twilio_api_url or settings.twilio_api_base_url
    try:
        return asyncio.run(run_call(args, token, args.public_url or settings.public_base_url))
    except (httpx.HTTPError, OSError, TimeoutError, ValueError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
