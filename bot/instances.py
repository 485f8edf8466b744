"""Which process holds a claim: an id per process, and whether a local holder has died."""

from __future__ import annotations

import os
import secrets
import socket

# The ids this process has handed out: a claim naming this host and pid but none of these was
# made by an earlier process that had the same pid (a container restarted: pid 1 again).
_ISSUED: set[str] = set()


def instance_id() -> str:
    """This process, as its claims name it: host, pid and a random part (pids are reused)."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    _ISSUED.add(owner)
    return owner


def died_here(owner: str) -> bool:
    """True when `owner` was a process on this host that no longer runs.

    Claims of such a process can be taken over at once instead of when their lease runs out.
    A holder on another host, or whose pid another process runs again, is left to its lease:
    the safe side. Our own pid under an id we never issued is a predecessor's: the bot runs as
    pid 1 in its container, and so did the process before a restart of it.
    """
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return owner not in _ISSUED
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it runs, as another user
    return False
