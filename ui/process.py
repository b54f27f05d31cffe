"""Settings of the one Python process that serves every visitor.

Streamlit runs each rerun in a new thread, and glibc's malloc keeps what threads free:

- threads that allocate at the same time get arenas of their own (up to eight per core),
  and each arena keeps its freed memory;
- an array larger than the mmap threshold gets pages of its own, returned when it is
  freed; but freeing one raises the threshold to its size (up to 32 MB), so later
  arrays of that size come from the arenas and stay there, fragmented, once freed.

In the load test (``python -m bench.load``: 20 sessions and 3 heavy requests on two
cores) the server's own resident memory, 60 s after the sessions ended, was 525 MB with
glibc's defaults, 428 MB with two arenas, and 321 MB with two arenas and a fixed 256 KiB
mmap threshold; its baseline after a warm-up was 278 MB. The price: a fit on 200,000
rows, whose temporaries are all above the threshold, took 0.86 s instead of 0.56 s (fits
estimated over a second run in worker processes, which keep glibc's defaults).

``MALLOC_ARENA_MAX`` and ``MALLOC_MMAP_THRESHOLD_`` in the environment would do the same,
but Streamlit Community Cloud starts the process itself, so the app asks glibc directly,
as early as it can: at its first run. Arenas made before then (the server's own
threads) stay; the cap stops more being made.
"""

import ctypes
import ctypes.util
import functools

__all__ = ["MALLOC_ARENAS", "MMAP_THRESHOLD_BYTES", "configure_malloc"]

#: Arenas glibc may use: two let two cores allocate without waiting for each other.
MALLOC_ARENAS = 2
#: Allocations from this size up get pages of their own, given back when freed.
MMAP_THRESHOLD_BYTES = 256 * 1024

# mallopt parameter numbers, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8


@functools.cache
def configure_malloc() -> bool:
    """Apply both settings, once per process.

    Returns whether they are in place: False where the C library is not glibc (macOS,
    Windows, musl), whose allocators do not need this.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    arenas = mallopt(_M_ARENA_MAX, MALLOC_ARENAS) == 1
    threshold = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
    return arenas and threshold
