"""
A real PostgreSQL streaming replica of a running server: for the read-replica tests and the cluster (deploy/cluster.py).

`ReplicaServer.create(primary=<Django settings dict>)`:

1. checks the primary can stream (superuser, `wal_level` replica or logical) and lets this host
   open replication connections: it appends `host replication all <this host's address>/32 trust`
   to the file `SHOW hba_file` names when that line is missing, then `SELECT pg_reload_conf()`.
   Both go through SQL (`pg_read_file`, `COPY ... TO PROGRAM`), so a server in a container works too;
2. runs `pg_basebackup -R` into a temporary directory (owned by the `postgres` user when the tests
   run as root, as PostgreSQL refuses to run as root);
3. starts a second server there on a free port with `pg_ctl` (via `runuser -u postgres --` as root),
   with the server binaries of the primary's major version;
4. waits until it accepts connections, is in recovery and streams from the primary.

`destroy()` stops it and deletes the directory (also registered with atexit, so an interrupted
run leaves no server behind). Any failure raises: when DATABASE_URL is PostgreSQL, a replica that
does not start is a failing test, never a skipped one.
"""

import atexit
import contextlib
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

SERVER_USER = "postgres"
# The alias the tests give the replica, as config.settings.base names the first one.
REPLICA_ALIAS = "replica1"
# Settings a hot standby needs at least as high as its primary's.
_STANDBY_MINIMUMS = (
    "max_connections",
    "max_prepared_transactions",
    "max_locks_per_transaction",
    "max_wal_senders",
    "max_worker_processes",
)


class ReplicaServer:
    def __init__(self, *, primary: dict[str, Any], bindir: Path, directory: Path, port: int) -> None:
        self.primary = primary
        self.bindir = bindir
        self.directory = directory
        self.data = directory / "data"
        self.port = port
        self.host = "127.0.0.1"

    # --------------------------------------------------------------------------
    # Life cycle
    # --------------------------------------------------------------------------
    @classmethod
    def create(
        cls, *, primary: dict[str, Any], directory: Path | None = None, port: int | None = None
    ) -> "ReplicaServer":
        """
        Backs up the primary described by a Django DATABASES entry and starts a replica of it.

        By default in a temporary directory on a free port, destroyed at exit (the tests). With a
        `directory` (created, or empty) and a `port`, the server outlives this process (make cluster)
        until `destroy()`; `attach()` finds it again.
        """
        with _connect(primary) as connection:
            settings = _check_primary(connection)
            _allow_replication(connection)
        _wait_for_replication_access(primary)
        bindir = _server_bindir(int(settings["server_version_num"]) // 10000)
        temporary = directory is None
        if directory is None:
            directory = Path(tempfile.mkdtemp(prefix="conduit-replica-"))
        else:
            directory.mkdir(parents=True, exist_ok=True)
        server = cls(primary=primary, bindir=bindir, directory=directory, port=port or _free_port())
        if temporary:
            atexit.register(server.destroy)
        try:
            _chown_to_server_user(directory)
            server._base_backup()
            server._write_config(settings)
            server.start()
        except BaseException:
            server.destroy()
            raise
        return server

    @classmethod
    def attach(cls, *, primary: dict[str, Any], directory: Path, port: int) -> "ReplicaServer":
        """The server that `create(directory=..., port=...)` made earlier, running or not."""
        version = (directory / "data" / "PG_VERSION").read_text().strip()
        return cls(primary=primary, bindir=_server_bindir(int(version)), directory=directory, port=port)

    def start(self) -> None:
        """Starts the server and waits until it streams from the primary."""
        options = f"-p {self.port} -k {shlex.quote(str(self.directory))} -c listen_addresses={self.host}"
        self._run(
            "pg_ctl", "-D", self.data, "-l", self.directory / "server.log", "-w", "-t", "60", "-o", options, "start"
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with self.connect() as connection:
                    in_recovery = _scalar(connection, "SELECT pg_is_in_recovery()")
                    receiver = _scalar(connection, "SELECT status FROM pg_stat_wal_receiver")
                if in_recovery and receiver == "streaming":
                    return
            except psycopg.OperationalError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the replica does not stream from the primary:\n{self.log_tail()}")
            time.sleep(0.05)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        return self._run("pg_ctl", "-D", self.data, "status", check=False).returncode == 0

    def destroy(self) -> None:
        """Stops the server (if it runs) and deletes its directory. Idempotent."""
        if self.data.exists() and self.is_running():
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.directory, ignore_errors=True)

    # --------------------------------------------------------------------------
    # Replication control
    # --------------------------------------------------------------------------
    def connect(self) -> psycopg.Connection[Any]:
        return _connect({**self.primary, "HOST": self.host, "PORT": self.port})

    def pause_replay(self) -> None:
        """The replica keeps receiving WAL but applies none of it: it lags until resume_replay()."""
        with self.connect() as connection:
            connection.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with self.connect() as connection:
            connection.execute("SELECT pg_wal_replay_resume()")

    def wait_for_replay(self, timeout: float = 15) -> None:
        """Waits until the replica has applied everything the primary has written so far."""
        with _connect(self.primary) as connection:
            lsn = _scalar(connection, "SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + timeout
        with self.connect() as connection:
            while not _scalar(connection, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", lsn):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the replica did not replay up to {lsn} in {timeout} s")
                time.sleep(0.02)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.directory / "server.log").read_text().splitlines()[-lines:])
        return "(no server log)"

    # --------------------------------------------------------------------------
    # Set-up steps
    # --------------------------------------------------------------------------
    def _base_backup(self) -> None:
        command: list[str | Path] = ["pg_basebackup", "-D", self.data, "-R", "-X", "stream", "-c", "fast", "-N", "-w"]
        if self.primary.get("HOST"):
            command += ["-h", str(self.primary["HOST"])]
        if self.primary.get("PORT"):
            command += ["-p", str(self.primary["PORT"])]
        if self.primary.get("USER"):
            command += ["-U", self.primary["USER"]]
        self._run(*command)

    def _write_config(self, primary_settings: dict[str, str]) -> None:
        # The server's own files: a primary packaged by Debian keeps its configuration outside the
        # data directory, a container's would listen everywhere. postgresql.auto.conf keeps the
        # primary_conninfo that `pg_basebackup -R` wrote.
        minimums = "".join(f"{name} = {primary_settings[name]}\n" for name in _STANDBY_MINIMUMS)
        files = {
            "postgresql.conf": (
                "hot_standby = on\n"
                "fsync = off\n"
                "shared_buffers = '32MB'\n"
                "max_standby_streaming_delay = '5s'\n"
                "wal_receiver_status_interval = '1s'\n" + minimums
            ),
            "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n",
            "pg_ident.conf": "",
        }
        for name, text in files.items():
            path = self.data / name
            path.write_text(text)
            _chown_to_server_user(path)

    def _run(self, program: str | Path, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / program), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
        if self.primary.get("PASSWORD"):
            env["PGPASSWORD"] = self.primary["PASSWORD"]
        result = subprocess.run(command, cwd=self.directory, env=env, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            output = f"{result.stdout}{result.stderr}\n{self.log_tail()}"
            raise RuntimeError(f"{shlex.join(command)} failed ({result.returncode}):\n{output}")
        return result


# ------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------
def _connect(database: dict[str, Any], **extra: Any) -> psycopg.Connection[Any]:
    params = {
        "dbname": database["NAME"],
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }
    params = {key: value for key, value in params.items() if value is not None}
    return psycopg.connect(autocommit=True, connect_timeout=5, **params, **extra)


def _scalar(connection: psycopg.Connection[Any], query: str, *params: object) -> Any:
    row = connection.execute(query, params or None).fetchone()
    return row[0] if row else None


def _check_primary(connection: psycopg.Connection[Any]) -> dict[str, str]:
    names = ["server_version_num", "wal_level", *_STANDBY_MINIMUMS]
    settings = dict(connection.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [names]))
    if _scalar(connection, "SHOW is_superuser") != "on":
        raise RuntimeError("the DATABASE_URL user must be a superuser to start a replica for the tests")
    if settings["wal_level"] not in ("replica", "logical"):
        raise RuntimeError(f"the primary's wal_level is {settings['wal_level']}: streaming needs 'replica'")
    if int(settings["max_wal_senders"]) < 3:
        raise RuntimeError("the primary's max_wal_senders must be 3 or more (backup + replica)")
    return settings


def _allow_replication(connection: psycopg.Connection[Any]) -> None:
    """Adds the pg_hba.conf line that lets this host stream from the primary, if missing."""
    client = _scalar(connection, "SELECT host(inet_client_addr())")
    if client is None:
        line = "local replication all trust"
    else:
        line = f"host replication all {client}/{128 if ':' in client else 32} trust"
    hba_file = _scalar(connection, "SHOW hba_file")
    content = _scalar(connection, "SELECT pg_read_file(%s)", hba_file)
    if line in (existing.strip() for existing in content.splitlines()):
        return
    separator = "" if content.endswith("\n") or not content else "echo; "
    # COPY ... TO PROGRAM runs as the server's own user, who owns pg_hba.conf.
    program = f"({separator}cat) >> {shlex.quote(hba_file)}"
    connection.execute(sql.SQL("COPY (SELECT {}) TO PROGRAM {}").format(sql.Literal(line), sql.Literal(program)))
    connection.execute("SELECT pg_reload_conf()")


def _wait_for_replication_access(primary: dict[str, Any]) -> None:
    """pg_reload_conf() only signals the server: wait until it accepts a replication connection."""
    deadline = time.monotonic() + 10
    while True:
        try:
            _connect(primary, replication="true").close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _server_bindir(major: int) -> Path:
    """A directory with the `pg_ctl` and `postgres` of this major version (a replica needs the primary's)."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    for program in ("pg_ctl", "postgres"):
        found = shutil.which(program)
        if found:
            candidates.append(Path(found).resolve().parent)
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout
        candidates.append(Path(bindir.strip()))
    for candidate in candidates:
        if (candidate / "pg_ctl").exists() and _major_version(candidate / "postgres") == major:
            return candidate
    raise RuntimeError(
        f"no PostgreSQL {major} server binaries (pg_ctl, postgres, pg_basebackup) found in "
        f"{', '.join(map(str, candidates))}: install the server package of the primary's version"
    )


def _major_version(postgres: Path) -> int | None:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        output = subprocess.run([postgres, "--version"], capture_output=True, text=True, check=True).stdout
        match = re.search(r"\) (\d+)", output)
        return int(match.group(1)) if match else None
    return None


def _chown_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, user=SERVER_USER, group=SERVER_USER)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def paused_replay(server: ReplicaServer) -> Iterator[None]:
    """The replica lags behind everything written inside the block; it catches up on exit."""
    server.pause_replay()
    try:
        yield
    finally:
        server.resume_replay()
        server.wait_for_replay()
