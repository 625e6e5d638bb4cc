import asyncio

from channels.voice.speech.codec import split_frames
from channels.voice.speech.embedded_stt import EmbeddedSTT
from channels.voice.speech.meaning import meaning
from channels.voice.speech.protocols import Final, SpeechContext, SpeechStarted, SpeechToText

from .helpers import ROSTER, clip, collect, silence


async def test_emits_speech_started_then_final_for_a_fed_clip(recognizer):
    stt = EmbeddedSTT(recognizer=recognizer)
    assert isinstance(stt, SpeechToText)
    await stt.start(SpeechContext(call_id="CA1", clinic_id="c1", providers=ROSTER))
    stt.set_expected("opening")
    reader = asyncio.create_task(collect(stt))
    loop_lag = []
    for frame in split_frames(silence(400) + clip("book_raman") + silence(1200)):
        t = asyncio.get_running_loop().time()
        await stt.send_audio(frame)
        loop_lag.append(asyncio.get_running_loop().time() - t)
    events = await asyncio.wait_for(reader, 10)
    await stt.close()
    assert isinstance(events[0], SpeechStarted)
    assert 0.3 <= events[0].t <= 0.6
    final = events[-1]
    assert isinstance(final, Final) and final.accepted, final
    assert meaning("opening", final.text, ROSTER) == "book:raman"
    assert final.question == "opening" and final.t_end > final.t_start
    assert max(loop_lag) < 0.05                   # decoding never blocks the event loop


async def test_off_topic_final_is_not_accepted(recognizer):
    stt = EmbeddedSTT(recognizer=recognizer)
    await stt.start(SpeechContext(call_id="CA2", clinic_id="c1", providers=ROSTER,
                                  question="provider"))
    for frame in split_frames(silence(300) + clip("weather")):
        await stt.send_audio(frame)
    await stt.close()                              # flushes the open utterance
    events = [ev async for ev in stt.events()]
    finals = [e for e in events if isinstance(e, Final)]
    assert len(finals) == 1 and not finals[0].accepted and finals[0].text == ""


async def test_builds_the_clinic_recognizer_from_the_context():
    stt = EmbeddedSTT()
    await stt.start(SpeechContext(call_id="CA3", clinic_id="c-ctx", providers=ROSTER[:2],
                                  question="yes_no"))
    for frame in split_frames(silence(300) + clip("yes") + silence(900)):
        await stt.send_audio(frame)
    events = await asyncio.wait_for(collect(stt), 10)
    await stt.close()
    final = events[-1]
    assert final.accepted and meaning("yes_no", final.text) == "yes", final
