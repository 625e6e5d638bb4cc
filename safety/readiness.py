"""The safety models' state for start-up and `/health/detailed`.

Both load at start-up so no message waits for them. In production a missing or altered weight
file stops the service (`ModelFilesError`, naming the package); elsewhere the service runs on
rules (crisis) and cue patterns (names) alone, and says so here.
"""
from __future__ import annotations

from safety import crisis_model, pii


def load_models(*, required: bool) -> dict[str, str]:
    crisis_model.load(required=required)
    pii.get_detector(required=required)
    return model_status()


def model_status() -> dict[str, str]:
    """``{"crisis_classifier": "ok" | "degraded: …", "name_recogniser": "ok" | "degraded: …"}``."""
    state = crisis_model.current()
    detector = pii.get_detector()
    return {"crisis_classifier": "ok" if state.model is not None else f"degraded: rules only ({state.problem})",
            "name_recogniser": "ok" if detector.problem is None else f"degraded: cues only ({detector.problem})"}
