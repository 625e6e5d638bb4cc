"""The stages of a phone call, each owning its state and tested alone (docs/architecture.md):
`wire` (Twilio's messages ⇄ typed events), `turns` (whose turn it is, barge-in, back-channels),
`hearing` (the speech-to-text stream, its repair and fallback), `player` (sentences, marks, what was
heard), `watchdog` (silence). `channels/voice/call.py` wires them."""
