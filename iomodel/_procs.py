"""Worker processes that cannot outlive the process that started them."""

from __future__ import annotations

import os
import signal
import threading
import time

__all__ = ["die_with_parent"]


def die_with_parent(parent: int) -> None:
    """Make this (worker) process end when ``parent`` ends, however it ends.

    On Linux the kernel sends SIGKILL to this process when its parent dies
    (``prctl(PR_SET_PDEATHSIG)``); elsewhere a daemon thread checks the parent every second.
    Use it as the ``initializer`` of a process pool, with ``os.getpid()`` of the parent.
    """
    if _set_death_signal():
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _set_death_signal() -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return False


def _watch(parent: int) -> None:  # pragma: no cover - only where prctl is missing
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)
