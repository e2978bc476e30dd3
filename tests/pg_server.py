"""A throwaway PostgreSQL server for the tests.

    server = PgServer.start()          # initdb into a temp dir, pg_ctl start on 127.0.0.1
    url = server.create_database()     # postgresql+psycopg://... of a new empty database
    server.drop_database(url)
    server.stop()                      # pg_ctl stop, remove the temp dir

`PgServer.external(url)` wraps a server someone else runs instead
(LAUNCHWATCH_TEST_PG_URL); stopping it only forgets it. PostgreSQL refuses to
run as root, so under root initdb and pg_ctl run as the `postgres` user.
A server left behind by a killed test run is stopped by the next start.
"""
from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL, make_url

PREFIX = "launchwatch-pg-"
SHM_MIN_FREE = 512 * 2**20  # Docker's default /dev/shm (64 MB) is too small for a cluster
SUPERUSER = "launchwatch"
RUN_AS = "postgres"  # the system user of Debian's postgresql package
START_TIMEOUT_S = 60
SETTINGS = {  # a throwaway server: speed over durability, loopback only
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
}


class PgUnavailable(RuntimeError):
    """No PostgreSQL server could be started; the message says why."""


def find_bin_dir() -> Path:
    """The folder of initdb and pg_ctl: Debian's newest version, else PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    initdb = found[-1] if found else shutil.which("initdb")
    if not initdb:
        raise PgUnavailable("initdb not found (looked in /usr/lib/postgresql/*/bin and PATH); "
                            "run scripts/ensure-postgres or install Debian's postgresql package")
    return Path(initdb).parent


def base_dir() -> Path:
    """Where clusters live: RAM (/dev/shm, 10-20x faster CREATE DATABASE) if roomy, else tmp."""
    try:
        shm = os.statvfs("/dev/shm")
        if shm.f_bavail * shm.f_frsize >= SHM_MIN_FREE and os.access("/dev/shm", os.W_OK):
            return Path("/dev/shm")
    except OSError:
        pass
    return Path(tempfile.gettempdir())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as() -> list[str]:
    """The command prefix that runs PostgreSQL's tools as a non-root user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(RUN_AS)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        RUN_AS], check=True, capture_output=True)
    return ["runuser", "-u", RUN_AS, "--"]


def _run(cmd: list, cwd: Path) -> None:
    # cwd: the tools fail when the postgres user cannot enter the caller's folder (/root).
    done = subprocess.run([*_run_as(), *map(str, cmd)], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise PgUnavailable(f"{Path(cmd[0]).name} failed ({done.returncode}): "
                            f"{(done.stderr or done.stdout).strip()[-2000:]}")


def reap_orphans(bin_dir: Path) -> None:
    """Stop and remove servers whose test run died without stopping them."""
    for root in base_dir().glob(PREFIX + "*"):
        try:
            os.kill(int((root / "owner").read_text()), 0)
            continue  # its test run is alive
        except ProcessLookupError:
            pass
        except (OSError, ValueError):
            continue  # not ours to judge: unreadable, or starting right now
        if (root / "data" / "postmaster.pid").exists():
            subprocess.run([*_run_as(), str(bin_dir / "pg_ctl"), "stop", "-D", str(root / "data"),
                            "-m", "immediate"], cwd=root, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


class PgServer:
    """A PostgreSQL server and the admin URL used to create test databases."""

    def __init__(self, admin_url: URL, root: Path | None = None, bin_dir: Path | None = None):
        self.admin_url = admin_url
        self.root = root
        self.bin_dir = bin_dir

    @classmethod
    def external(cls, url: str) -> "PgServer":
        return cls(make_url(url).set(drivername="postgresql+psycopg"))

    @classmethod
    def start(cls) -> "PgServer":
        bin_dir = find_bin_dir()
        reap_orphans(bin_dir)
        root = Path(tempfile.mkdtemp(prefix=PREFIX, dir=base_dir()))
        (root / "owner").write_text(str(os.getpid()))
        try:
            return cls._start_in(root, bin_dir)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise

    @classmethod
    def _start_in(cls, root: Path, bin_dir: Path) -> "PgServer":
        password = secrets.token_hex(16)
        (root / "pw").write_text(password + "\n")
        if os.geteuid() == 0:
            _run_as()  # creates the user if missing
            shutil.chown(root, RUN_AS)
            shutil.chown(root / "pw", RUN_AS)
        _run([bin_dir / "initdb", "-D", root / "data", "-U", SUPERUSER, "--pwfile", root / "pw",
              "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"], cwd=root)
        with open(root / "data" / "postgresql.conf", "a") as conf:
            conf.writelines(f"{k} = {v}\n" for k, v in
                            {**SETTINGS, "unix_socket_directories": f"'{root}'"}.items())
        for _ in range(3):  # the free port may be taken before the server binds it
            port = free_port()
            server = cls(URL.create("postgresql+psycopg", SUPERUSER, password, "127.0.0.1", port,
                                    "postgres"), root, bin_dir)
            try:
                _run([bin_dir / "pg_ctl", "start", "-D", root / "data", "-l", root / "log", "-w",
                      "-t", START_TIMEOUT_S, "-o", f"-p {port}"], cwd=root)
                return server
            except PgUnavailable as err:
                failure = f"{err}\n{server.log_tail()}"
        raise PgUnavailable(failure)

    def log_tail(self, lines: int = 20) -> str:
        log = self.root / "log" if self.root else None
        if not log or not log.exists():
            return ""
        return "server log:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            _run([self.bin_dir / "pg_ctl", "stop", "-D", self.root / "data", "-m", "immediate"],
                 cwd=self.root)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _admin(self, sql: str) -> None:
        url = self.admin_url.set(drivername="postgresql")  # a libpq URI keeps ?sslmode= etc.
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self) -> str:
        """A new, empty database; its SQLAlchemy URL with the password in clear."""
        name = f"lw_test_{secrets.token_hex(6)}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
