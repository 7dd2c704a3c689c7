"""Shared test options and fixtures."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from attune_workflow.registrar import embedded

DATA = Path(__file__).parent / "data"


def pytest_report_header(config: pytest.Config) -> str:
    # The registrar tests' `real` variants (tests/registrar/conftest.py) need this.
    if os.environ.get("ATTUNE_TEST_REAL_SCHEMA_URL"):
        return "Attune real schema: ATTUNE_TEST_REAL_SCHEMA_URL is set"
    return (
        "Attune real schema: ATTUNE_TEST_REAL_SCHEMA_URL is not set, so the registrar tests' "
        "[real] variants are deselected (.ci/run sets it)"
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the expected .out files of the golden tests (read the diff!)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def embedded_base() -> Iterator[Path]:
    """A folder for the session's embedded PostgreSQL.

    Under /tmp, not a home folder: as root the server runs as a system user that
    must be able to enter it.
    """
    base = Path(tempfile.mkdtemp(prefix="attune-lsp-test-", dir="/tmp"))
    base.chmod(0o755)
    yield base
    embedded.stop(base)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def embedded_server(embedded_base: Path) -> embedded.EmbeddedServer:
    """One embedded PostgreSQL per test session (per worker), without durability."""
    server, _ = embedded.ensure_running(
        embedded_base,
        durable=False,
        settings={"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"},
    )
    return server
