"""A lock file so that two scheduled runs writing the same folder cannot collide.

The lock is a file (e.g. ``runs/.update.lock``) holding the owner's PID, host and start time,
and an exclusive ``flock`` on it.  The kernel releases the ``flock`` when its owner ends, however
it ends (a crash or ``kill -9`` included), so a lock file left behind by a killed run is *stale*:
the next run takes it over and says so.  A second run while the first is alive is refused with
the first one's PID.  Without ``fcntl`` (not POSIX) the PID alone decides: a lock whose process
no longer runs on this host is stale.
"""

from __future__ import annotations

import datetime
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from .errors import UpdateLocked

__all__ = ["LockInfo", "hold_lock", "read_lock"]

try:  # pragma: no cover - the import is the platform check
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class LockInfo:
    """The lock held, and what a killed run left in it (``stale``: its PID, host and time)."""

    path: Path
    stale: str | None = None


def read_lock(path: Path) -> str:
    """The holder recorded in a lock file, one line ('PID 123 on host since …'), or ''."""
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return ""
    if len(lines) < 3 or not lines[0].strip().isdigit():
        return ""
    return f"PID {lines[0].strip()} on {lines[1].strip()} since {lines[2].strip()}"


@contextmanager
def hold_lock(path: Path) -> Iterator[LockInfo]:
    """Hold the lock at ``path`` for the duration of the block.

    Raises :class:`~iomodel.errors.UpdateLocked` (naming the holder) when another live process
    holds it.  The file is removed when the block ends.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(10):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if not _try_lock(fd, path):
                raise UpdateLocked(
                    f"{path}: another run holds the lock ({read_lock(path) or 'holder unknown'}); "
                    "wait for it to finish — the lock is released when it ends, even if it is "
                    "killed"
                )
            if not _same_file(fd, path):  # removed by its previous owner after we opened it
                os.close(fd)
                continue
        except BaseException:
            with suppress(OSError):
                os.close(fd)
            raise
        break
    else:  # pragma: no cover - ten races in a row
        raise UpdateLocked(f"{path}: the lock file keeps changing; is another run starting?")
    stale = read_lock(path) or None
    stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n{socket.gethostname()}\n{stamp}\n".encode(), 0)
    os.fsync(fd)
    try:
        yield LockInfo(path, stale)
    finally:
        with suppress(OSError):
            os.unlink(path)  # still holding it: a newcomer sees the file gone and retries
        os.close(fd)


def _try_lock(fd: int, path: Path) -> bool:
    """Take the lock on the open file ``fd``; False when a live process holds it."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    # pragma: no cover - without flock the recorded PID decides (same host only)
    pid, host = _holder(path)
    return pid is None or host != socket.gethostname() or not _alive(pid)


def _holder(path: Path) -> tuple[int | None, str]:
    lines = Path(path).read_text(encoding="utf-8", errors="replace").split("\n")
    if len(lines) >= 2 and lines[0].strip().isdigit():
        return int(lines[0]), lines[1].strip()
    return None, ""


def _alive(pid: int) -> bool:
    """True when a process ``pid`` runs on this host (and is not this one)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False
