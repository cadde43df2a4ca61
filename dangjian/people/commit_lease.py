"""Who is committing a roster: a lock that ends with the process holding it.

A roster commit writes all its members in one transaction; the process doing
it holds this lease from before it claims the roster until it is done. When
that process dies (SIGKILL, power loss, a killed worker), the database has
already rolled the transaction back, and the lease is released by the same
fact — no timer guesses whether the process is still working:

* PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on the
  committing connection. The server releases it when the connection ends,
  after aborting the connection's transaction.
* SQLite: an exclusive POSIX record lock (``lockf``) at the roster's id in a
  lock file beside the database file. The kernel releases it when the
  process ends; SQLite discards the uncommitted transaction the same way.
  A SQLite database is a local file, so every process using it is on this
  host and sees the lock.

Within one process (gunicorn threads) a table of held leases answers first:
a PostgreSQL connection may take its own advisory lock twice and a process
never conflicts with its own record locks. ``roster_cleanup`` asks
:func:`holder_alive`; a live commit is never taken over.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

# The first key of the two-key advisory lock: "roster commit" (0x526F = "Ro").
PG_LOCK_CLASS = 0x526F

_mutex = threading.Lock()
_held: dict[int, tuple[int, int]] = {}  # roster id -> (thread ident, depth)
_lock_file: tuple[int, object] | None = None  # (pid, open file) for SQLite


def _key(roster_id: int) -> int:
    return roster_id & 0x7FFFFFFF


def _sqlite_file():
    """The lock file beside the database, opened once per process (never closed:
    closing any descriptor of it would drop all of this process's record locks)."""
    global _lock_file
    if _lock_file is None or _lock_file[0] != os.getpid():
        path = Path(f"{connection.settings_dict['NAME']}-roster-commits.lock")
        _lock_file = (os.getpid(), open(path, "a+b"))  # noqa: SIM115 - kept open on purpose
    return _lock_file[1]


def _try_lock(roster_id: int) -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [PG_LOCK_CLASS, _key(roster_id)])
            return bool(cursor.fetchone()[0])
    try:
        fcntl.lockf(_sqlite_file(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, roster_id)
    except OSError:
        return False
    return True


def _unlock(roster_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [PG_LOCK_CLASS, _key(roster_id)])
        return
    fcntl.lockf(_sqlite_file(), fcntl.LOCK_UN, 1, roster_id)


def owner_token() -> str:
    """What the roster row records as the commit's holder (for operators; not the lock)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def held(roster_id: int) -> Iterator[bool]:
    """Hold the roster's commit lease for the block; yields False if someone else holds it.

    Re-entrant within one thread (the synchronous path claims, then commits).
    """
    me = threading.get_ident()
    with _mutex:
        holder = _held.get(roster_id)
        if holder is None:
            acquired = _try_lock(roster_id)
            if acquired:
                _held[roster_id] = (me, 1)
        elif holder[0] == me:
            acquired = True
            _held[roster_id] = (me, holder[1] + 1)
        else:
            acquired = False
    try:
        yield acquired
    finally:
        if acquired:
            with _mutex:
                depth = _held[roster_id][1]
                if depth > 1:
                    _held[roster_id] = (me, depth - 1)
                else:
                    del _held[roster_id]
                    with contextlib.suppress(Exception):  # a dead connection holds nothing
                        _unlock(roster_id)


def holder_alive(roster_id: int) -> bool:
    """Whether some live process (this one included) holds the roster's commit lease."""
    with _mutex:  # no thread of this process takes the lock between the try and the unlock
        if roster_id in _held:
            return True
        if not _try_lock(roster_id):
            return True
        _unlock(roster_id)
        return False
