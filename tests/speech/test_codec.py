import numpy as np

from channels.voice.speech.codec import (FRAME_BYTES, MULAW_SILENCE, pad_to_frames, pcm8k_to_pcm16k,
                                         pcm_to_ulaw, resample, split_frames, ulaw_to_pcm)


def test_mulaw_decode_encode_is_identity_on_all_codes():
    codes = bytes(range(256))
    back = pcm_to_ulaw(ulaw_to_pcm(codes))
    # 0x7F and 0xFF both mean zero; everything else round-trips exactly
    assert all(a == b or {a, b} == {0x7F, 0xFF} for a, b in zip(codes, back))


def test_pcm_round_trip_error_is_within_mulaw_quantisation():
    x = (np.sin(np.linspace(0, 200, 8000)) * 20000).astype("<i2")
    y = np.frombuffer(ulaw_to_pcm(pcm_to_ulaw(x.tobytes())), dtype="<i2")
    err = np.abs(x.astype(int) - y.astype(int))
    assert err.max() <= np.abs(x).max() / 30 + 8        # ~3% relative for loud samples
    assert ulaw_to_pcm(bytes([MULAW_SILENCE])) == b"\x00\x00"


def test_known_g711_values():
    pcm = np.array([0, 1000, -1000, 32767, -32768], dtype="<i2").tobytes()
    assert list(pcm_to_ulaw(pcm)) == [0xFF, 0xCE, 0x4E, 0x80, 0x00]


def test_frames_are_160_bytes_and_last_is_padded_with_silence():
    data = bytes(range(200)) * 2                       # 400 bytes = 2.5 frames
    frames = list(split_frames(data))
    assert [len(f) for f in frames] == [FRAME_BYTES] * 3
    assert frames[-1][80:] == bytes([MULAW_SILENCE]) * 80
    assert b"".join(frames)[:400] == data
    assert len(pad_to_frames(b"\x00" * 161)) == 320
    assert len(pad_to_frames(b"\x00" * 160)) == 160


def test_upsampling_doubles_length_and_keeps_a_tone():
    t = np.arange(8000) / 8000
    tone = (np.sin(2 * np.pi * 1000 * t) * 10000).astype("<i2")
    up = np.frombuffer(pcm8k_to_pcm16k(tone.tobytes()), dtype="<i2")
    assert up.size == 16000
    ref = np.sin(2 * np.pi * 1000 * np.arange(16000) / 16000) * 10000
    assert np.abs(up[100:-100] - ref[100:-100]).max() < 50


def test_downsampling_removes_content_above_the_new_nyquist():
    t = np.arange(22050) / 22050
    high = np.sin(2 * np.pi * 6000 * t) * 10000          # above 4 kHz: must not alias
    assert np.abs(resample(high, 22050, 8000)[100:-100]).max() < 50
