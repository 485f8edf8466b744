"""Which process holds a claim: an id per process, and whether a local holder has died."""

from __future__ import annotations

import os
import secrets
import socket


def instance_id() -> str:
    """This process, as its claims name it: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def died_here(owner: str) -> bool:
    """True when `owner` was a process on this host that no longer runs.

    Claims of such a process can be taken over at once instead of when their lease runs out.
    A holder on another host, or whose pid runs again, is left to its lease: the safe side.
    """
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it runs, as another user
    return False
