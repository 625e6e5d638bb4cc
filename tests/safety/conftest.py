"""Fixtures shared by the safety tests."""
from __future__ import annotations

import pytest

from safety import crisis_model


@pytest.fixture(scope="module")
def loaded():
    """The crisis classifier, or the test is skipped when its weights are not installed."""
    state = crisis_model.load()
    if state.model is None:
        pytest.skip(f"model weights not installed: {state.problem}")
    return state.model
