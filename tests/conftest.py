"""Shared fixtures: the real offline snapshot imported once per test session."""

import os
from pathlib import Path

import pytest
from etablering import paths
from etablering.importer import import_dir
from etablering.registry import Registry

RAW = paths.PROJECT_ROOT.parent / "shared" / "data" / "raw"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    if not RAW.is_dir():
        pytest.skip(f"the offline snapshot {RAW} is not here")
    return RAW


@pytest.fixture(scope="session")
def processed(raw_dir, tmp_path_factory) -> Path:
    """The snapshot imported into a private data dir; notebooks find it through ETABLERING_DATA."""
    target = tmp_path_factory.mktemp("data") / "processed"
    import_dir(raw_dir, target, log=lambda *_: None)
    os.environ["ETABLERING_DATA"] = str(target)
    return target


@pytest.fixture(scope="session")
def registry(processed) -> Registry:
    return Registry.load(processed)
