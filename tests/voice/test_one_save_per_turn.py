"""A voice turn writes the session once: what the caller heard of the last reply (and its
timings) goes with the next turn's save, not in a write of its own; the records left when the call
ends are written as it closes. Before, each turn saved twice (the turn, then its playback)."""
from __future__ import annotations

from channels.voice.call import VoiceConfig
from tests.voice.conftest import until as _until


async def test_each_turn_of_a_call_saves_the_session_once(voice_rig, monkeypatch):
    rig = await voice_rig(config=VoiceConfig(playback_rate=16.0, silence_seconds=30.0))
    store = rig.engine.sessions
    saves: list[int] = []
    real_save = store.save

    async def counted(session, *args, **kw):
        saves.append(len(session.message_history))
        return await real_save(session, *args, **kw)
    monkeypatch.setattr(store, "save", counted)
    caller = await rig.connected_caller()
    try:
        assert await caller.wait_for_agent(timeout=20) is not None          # the greeting: 1 save
        await _until(lambda: rig.live(caller.call_sid).playbacks[0].finished)
        call = rig.live(caller.call_sid)
        call.expecting = "date_of_birth"                                      # as if it was asked
        await caller.dtmf("03041985#")
        assert await caller.wait_for_agent(timeout=20) is not None          # a turn: 1 save
        await _until(lambda: call.playbacks[-1].finished and not call.busy)
        assert len(saves) == 2, saves
        call.expecting = "phone"
        await caller.dtmf("3125550123")
        assert await caller.wait_for_agent(timeout=20) is not None          # another: 1 save
        await _until(lambda: call.playbacks[-1].finished and not call.busy)
        assert len(saves) == 3, saves
    finally:
        await caller.hangup()
    await _until(lambda: rig.finished(caller.call_sid), timeout=10)
    assert len(saves) == 4, saves                     # the last reply's record, as the call closed
    stored = await rig.session(caller.call_sid)
    assistant = [t for t in stored.message_history if t.role == "assistant"]
    assert len(assistant) == 3 and all(t.meta.get("interrupted") is False for t in assistant)
    assert all(t.meta.get("timings_ms") for t in assistant[1:])       # the turns' timings, saved with the next
