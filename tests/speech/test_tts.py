import asyncio
import time

from channels.voice.speech.codec import FRAME_BYTES, ulaw_to_array
from channels.voice.speech.protocols import TextToSpeech
from channels.voice.speech.tts import EspeakTTS, split_sentences

REPLY = ("Thanks for calling Lakeside Family Clinic. I can book, cancel or reschedule an "
         "appointment for you. Which doctor would you like to see?")


def test_sentence_split():
    assert split_sentences(REPLY) == [
        "Thanks for calling Lakeside Family Clinic.",
        "I can book, cancel or reschedule an appointment for you.",
        "Which doctor would you like to see?"]
    assert split_sentences("  ") == []


async def test_yields_whole_mulaw_frames_and_streams_the_first_sentence():
    tts = EspeakTTS()
    assert isinstance(tts, TextToSpeech)
    t0 = time.perf_counter()
    chunks, first_at = [], None
    async for chunk in tts.synthesize(REPLY):
        if first_at is None:
            first_at = time.perf_counter() - t0
        chunks.append(chunk)
    total = time.perf_counter() - t0
    assert chunks and all(len(c) > 0 and len(c) % FRAME_BYTES == 0 for c in chunks)
    audio = b"".join(chunks)
    assert 4.0 < len(audio) / 8000 < 20.0                    # seconds of 8 kHz audio
    assert ulaw_to_array(audio).std() > 500                   # not silence
    assert first_at < total                                   # first chunk before the reply ends
    assert first_at < 1.0


async def test_first_chunk_arrives_while_later_sentences_are_still_synthesising():
    tts = EspeakTTS()
    started = []
    real = tts._sentence_audio

    async def slow(sentence):                 # make synthesis of later sentences observable
        started.append(sentence)
        if len(started) > 1:
            await asyncio.sleep(0.3)
        return await real(sentence)

    tts._sentence_audio = slow
    gen = tts.synthesize(REPLY)
    t0 = time.perf_counter()
    await gen.__anext__()
    assert time.perf_counter() - t0 < 0.3     # did not wait for sentence two
    await gen.aclose()                        # barge-in: stop early, no stray tasks


async def test_cache_makes_fixed_phrases_instant():
    tts = EspeakTTS()
    await tts.warm(["Thanks for calling Lakeside Family Clinic."])
    t0 = time.perf_counter()
    out = [c async for c in tts.synthesize("Thanks for calling Lakeside Family Clinic.")]
    assert out and time.perf_counter() - t0 < 0.01
