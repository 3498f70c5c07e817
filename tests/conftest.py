"""Shared test set-up: the --update-golden option for golden-file tests; no test keeps parse trees in the user's
cache folder (tests/cli/test_explain_tree_cache.py turns the cache on in a folder of its own)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_tree_cache(monkeypatch):
    monkeypatch.setenv("ATTAIN_NO_CACHE", "1")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files, then review the diff")


@pytest.fixture
def golden(request):
    """Compare text with a golden file, or rewrite it under --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(path: Path, actual: str):
        if update or not path.exists():
            path.write_text(actual, encoding="utf-8")
            if not update:
                pytest.fail(f"golden file {path} was missing and has been written; review it and rerun")
        assert actual == path.read_text(encoding="utf-8"), f"differs from {path}; rerun with --update-golden"

    return check
