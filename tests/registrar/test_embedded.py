"""The zero-setup embedded server: where it lives, reuse, status, stop and restart."""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import tempfile
from pathlib import Path

import psycopg
import pytest

from attune_lsp import dbcli
from attune_workflow.registrar import embedded
from attune_workflow.registrar.errors import EmbeddedServerError
from attune_workflow.registrar.migrate import status

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="root-only behaviour")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv(embedded.ENV_DATABASE_URL, raising=False)
    monkeypatch.delenv(embedded.ENV_DATA_DIR, raising=False)
    return monkeypatch


def test_data_dir_as_root_is_outside_home(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setattr(embedded, "_is_root", lambda: True)
    assert embedded.data_dir() == Path("/var/lib/attune-lsp")
    assert embedded.pgdata_dir() == Path("/var/lib/attune-lsp/postgres")


def test_data_dir_as_a_user_follows_platformdirs(clean_env: pytest.MonkeyPatch) -> None:
    import platformdirs

    clean_env.setattr(embedded, "_is_root", lambda: False)
    assert embedded.data_dir() == Path(platformdirs.user_data_dir("attune-lsp"))


def test_data_dir_override(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv(embedded.ENV_DATA_DIR, str(tmp_path))
    clean_env.setattr(embedded, "_is_root", lambda: True)
    assert embedded.pgdata_dir() == tmp_path / "postgres"


def test_a_database_url_wins(clean_env: pytest.MonkeyPatch) -> None:
    target = embedded.resolve_database("postgresql://u:pw@h/db")
    assert (target.kind, target.display) == ("url", "postgresql://u:***@h/db")
    clean_env.setenv(embedded.ENV_DATABASE_URL, "postgresql://e:pw@h/db")
    assert embedded.resolve_database(None).display == "postgresql://e:***@h/db"
    assert embedded.resolve_database("postgresql://c@h/db").display == "postgresql://c@h/db"


def test_running_server_is_reused(
    embedded_base: Path, embedded_server: embedded.EmbeddedServer
) -> None:
    again, started = embedded.ensure_running(embedded_base)
    assert not started
    assert (again.pid, again.port) == (embedded_server.pid, embedded_server.port)
    info = embedded.server_info(embedded_base)
    assert info.running and info.pid == embedded_server.pid
    mode = stat.S_IMODE(embedded_server.pgdata.stat().st_mode)
    assert mode == 0o700
    conf = (embedded_server.pgdata / embedded.CONFIG_FILE).read_text()
    assert "listen_addresses = ''" in conf


def test_resolve_database_uses_the_embedded_server_and_migrates(
    clean_env: pytest.MonkeyPatch, embedded_base: Path, embedded_server: embedded.EmbeddedServer
) -> None:
    clean_env.setenv(embedded.ENV_DATA_DIR, str(embedded_base))
    target = embedded.resolve_database(None)
    assert target.kind == "embedded"
    assert target.display == f"embedded at {embedded_base}/postgres, port {embedded_server.port}"
    with psycopg.connect(target.url, autocommit=True) as conn:
        assert status(conn).up_to_date
    assert embedded.server_info(embedded_base).pid == embedded_server.pid


def test_db_status_reports_the_embedded_server(
    clean_env: pytest.MonkeyPatch,
    embedded_base: Path,
    embedded_server: embedded.EmbeddedServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clean_env.setenv(embedded.ENV_DATA_DIR, str(embedded_base))
    embedded.resolve_database(None)  # migrated here, whichever tests ran before
    parser = argparse.ArgumentParser()
    dbcli.add_db_arguments(parser.add_subparsers())
    args = parser.parse_args(["db", "status"])
    assert args.handler(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"database:  embedded at {embedded_base}/postgres, port {embedded_server.port}"
        f" (running, pid {embedded_server.pid})"
    )
    assert out[1] == "schema:    managed by attune-lsp, up to date"


def test_db_status_reports_a_stopped_server_without_starting_it(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "data"
    clean_env.setenv(embedded.ENV_DATA_DIR, str(base))
    parser = argparse.ArgumentParser()
    dbcli.add_db_arguments(parser.add_subparsers())
    args = parser.parse_args(["db", "status"])
    assert args.handler(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"database:  embedded at {base}/postgres (not running)"
    assert out[1].startswith("schema:    not read while the server is stopped")
    assert not embedded.server_info(base).running
    assert not (base / "postgres" / "PG_VERSION").exists()


def test_long_data_paths_put_the_socket_in_a_private_tmp_folder(tmp_path: Path) -> None:
    account = embedded._service_account()
    short = embedded._socket_dir_for(tmp_path, 5432, account)
    assert short == tmp_path
    deep = tmp_path / ("x" * 120)
    folder = embedded._socket_dir_for(deep, 5432, account)
    assert folder.parent == Path(tempfile.gettempdir())
    assert len(str(folder / ".s.PGSQL.5432")) < 100


def test_a_socket_folder_others_can_enter_is_refused(tmp_path: Path) -> None:
    account = embedded._service_account()
    folder = tmp_path / "sockets"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(EmbeddedServerError, match="mode 0700"):
        embedded._ensure_socket_dir(folder, account)
    fresh = tmp_path / "fresh"
    embedded._ensure_socket_dir(fresh, account)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    assert fresh.stat().st_uid == account.uid


@root_only
def test_as_root_a_closed_folder_is_an_error_not_opened_up(clean_env: pytest.MonkeyPatch) -> None:
    closed = Path(tempfile.mkdtemp(prefix="attune-lsp-closed-", dir="/tmp"))
    try:
        assert stat.S_IMODE(closed.stat().st_mode) == 0o700
        with pytest.raises(EmbeddedServerError, match="cannot enter") as caught:
            embedded.ensure_running(closed / "data")
        assert "does not widen folder permissions" in str(caught.value)
        assert stat.S_IMODE(closed.stat().st_mode) == 0o700
    finally:
        for child in sorted(closed.rglob("*"), reverse=True):
            child.rmdir() if child.is_dir() else child.unlink()
        closed.rmdir()


@root_only
def test_as_root_the_server_runs_as_a_system_user(embedded_server: embedded.EmbeddedServer) -> None:
    owner = embedded_server.pgdata.stat().st_uid
    assert owner != 0
    assert embedded_server.pid is not None
    assert Path(f"/proc/{embedded_server.pid}").stat().st_uid == owner


def test_stop_then_start_again_keeps_port_and_data(
    embedded_base: Path,
    embedded_server: embedded.EmbeddedServer,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clean_env.setenv(embedded.ENV_DATA_DIR, str(embedded_base))
    with psycopg.connect(embedded_server.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS survives (n int)")
    parser = argparse.ArgumentParser()
    dbcli.add_db_arguments(parser.add_subparsers())
    args = parser.parse_args(["db", "stop"])
    assert args.handler(args) == 0
    assert (
        capsys.readouterr().out == f"stopped the embedded PostgreSQL at {embedded_base}/postgres\n"
    )
    assert not embedded.server_info(embedded_base).running
    assert args.handler(args) == 0
    assert "is not running" in capsys.readouterr().out

    server, started = embedded.ensure_running(embedded_base)
    assert started and server.port == embedded_server.port and server.pid != embedded_server.pid
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('survives') IS NOT NULL").fetchone() == (True,)
        conn.execute("DROP TABLE survives")


@root_only
def test_as_root_unreachable_binaries_are_copied_not_opened_up(
    monkeypatch: pytest.MonkeyPatch, embedded_base: Path
) -> None:
    # Binaries inside a closed folder (a venv in a home folder, say) are copied under
    # the data directory instead of opening the folder to the server account.
    real = embedded._wheel_install()
    closed = Path(tempfile.mkdtemp(prefix="attune-lsp-home-", dir="/tmp"))
    base = Path(tempfile.mkdtemp(prefix="attune-lsp-data-", dir="/tmp"))
    try:
        base.chmod(0o711)
        (closed / "pginstall").symlink_to(real)
        monkeypatch.setattr(embedded, "_wheel_install", lambda: closed / "pginstall")
        account = embedded._service_account()
        install = embedded._usable_install(account, base)
        assert install.parent == base and install.name.startswith("pginstall-")
        assert stat.S_IMODE(closed.stat().st_mode) == 0o700
        assert (install / "bin" / "postgres").stat().st_mode & stat.S_IXOTH
        assert embedded._blocked_ancestor(install / "bin", account) is None
        assert embedded._usable_install(account, base) == install  # copied once
    finally:
        shutil.rmtree(closed)
        shutil.rmtree(base)
