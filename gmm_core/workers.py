"""Worker processes shared by every caller, for work too big for the caller's thread.

A Streamlit server runs every visitor's script in one process, so a long fit in a
script thread holds the interpreter lock that every other visitor's rerun needs. Work
estimated over ``IN_THREAD_SECONDS`` (big sweeps, big single fits) therefore runs here,
in a pool of processes that:

- is shared by all callers and sized by ``limits.WORKERS``, so twenty visitors
  asking for sweeps at once queue for two workers instead of starting forty;
- runs at a lower CPU priority (``WORKER_NICE``): a student's slider move in the server
  is served before the next fit of somebody's sweep;
- uses one BLAS/OpenMP thread per worker: parallelism is at the level of whole fits;
- lets each caller cancel only its own pending work. (``joblib.Parallel`` shuts the
  shared executor down when one caller stops early, which kills every other caller's
  fits; a visitor changing an input mid-sweep must not break another's sweep.)
- gives its memory back: idle workers exit after ``WORKER_IDLE_SECONDS``.

Each caller keeps at most ``limits.WORKERS`` tasks queued, so callers take turns instead of
one large sweep holding the queue until it is done.
"""

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool

from joblib.externals.loky import get_reusable_executor

from . import limits
from .errors import GMMInputError

__all__ = [
    "IN_THREAD_SECONDS",
    "WORKER_IDLE_SECONDS",
    "WORKER_NICE",
    "call",
    "map_unordered",
    "shutdown",
]

#: Work estimated under this many seconds runs in the caller's thread: a round trip to a
#: worker (and, after an idle minute, starting one) would cost more than it saves.
IN_THREAD_SECONDS = 1.0
#: Seconds an idle worker lives: each holds ~200 MB with scikit-learn imported.
WORKER_IDLE_SECONDS = 60
#: Niceness of the workers: interactive reruns in the server process come first.
WORKER_NICE = 10

_ONE_THREAD = {
    name: "1"
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
}


def _lower_priority() -> None:
    """Runs once in each new worker."""
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: no setpriority
        current = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, max(current, WORKER_NICE))


_used = False  # whether this process has asked for the pool yet


def _pool():
    global _used
    _used = True
    # The same arguments on every call: loky then hands back the running pool instead
    # of replacing it (which would stop the other callers' work).
    return get_reusable_executor(
        max_workers=limits.WORKERS,
        timeout=WORKER_IDLE_SECONDS,
        initializer=_lower_priority,
        env=_ONE_THREAD,
    )


def map_unordered(fn: Callable, items: Iterable[tuple], in_flight: int | None = None) -> Iterator:
    """Yield ``fn(*item)`` for every item, in the order they finish.

    At most ``in_flight`` (default: one per worker) of this caller's items are queued or
    running at a time.
    Closing the generator early (or an exception in the caller while it consumes)
    cancels this caller's queued items; the ones already running finish unobserved.
    An exception raised by ``fn`` is re-raised here; a worker that died (killed for
    lack of memory, say) becomes a :class:`GMMInputError` saying what to try.
    """
    pool = _pool()
    in_flight = limits.WORKERS if in_flight is None else max(1, in_flight)
    todo = iter(items)
    pending: set[Future] = set()
    try:
        while True:
            for item in todo:
                pending.add(pool.submit(fn, *item))
                if len(pending) >= in_flight:
                    break
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    result = future.result()
                except BrokenProcessPool as error:  # a worker died; the next call gets a new pool
                    raise GMMInputError(
                        "The process doing this fit stopped before it finished, most likely "
                        "because the server ran out of memory. Try fewer components, rows or "
                        "columns, or try again in a moment."
                    ) from error
                yield result
    finally:
        for future in pending:
            future.cancel()


def call(estimated_seconds: float, fn: Callable, *args):
    """``fn(*args)``: here if ``estimated_seconds`` is short, else in a worker (waiting)."""
    if estimated_seconds < IN_THREAD_SECONDS:
        return fn(*args)
    (result,) = map_unordered(fn, [args], in_flight=1)
    return result


def shutdown() -> None:
    """Stop the workers now (waiting for running work), instead of after their idle time."""
    if _used:
        _pool().shutdown(wait=True)
