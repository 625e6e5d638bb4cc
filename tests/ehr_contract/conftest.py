"""The `backend` fixture: parametrized over every `tests/ehr_contract/backend_*.py` on disk
(the convention is in harness.py's docstring), a fresh seeded world per test."""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import AsyncIterator

import pytest
import pytest_asyncio

from tests.ehr_contract.harness import Backend, BackendContext

HERE = Path(__file__).resolve().parent
BACKENDS = sorted(p.stem.removeprefix("backend_") for p in HERE.glob("backend_*.py"))


def backend_module(name: str):
    return importlib.import_module(f"tests.ehr_contract.backend_{name}")


@pytest.fixture
def backend_context(tmp_path, pool, database, redis, settings, services, make_clinic) -> BackendContext:
    return BackendContext(tmp_path=tmp_path, pool=pool, database_url=database, redis=redis, settings=settings,
                          services=services, make_clinic=make_clinic)


@pytest_asyncio.fixture(params=BACKENDS)
async def backend(request, backend_context) -> AsyncIterator[Backend]:
    module = backend_module(request.param)
    reason = getattr(module, "SKIP_REASON", None)
    if reason:
        pytest.skip(reason)
    async with module.make_backend(backend_context) as made:
        yield made
