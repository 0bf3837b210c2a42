"""Opt-in tuning of the C allocator, which decides much of an LSTM's speed on Linux CPUs."""

import ctypes
import ctypes.util
import sys

# glibc's mallopt parameter numbers (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_TRIM_THRESHOLD = 2**30


def reuse_freed_memory():
    """Make glibc keep freed memory for reuse instead of returning it to the system.

    Training an LSTM allocates and frees buffers of tens of megabytes at every step. By
    default glibc serves such buffers with fresh ``mmap`` calls and gives them back when
    freed, so every step pays page faults for them again; on some machines (virtual
    machines in particular) that makes training many times slower. This function makes
    glibc serve every allocation from its heap (no ``mmap``; oneDNN's LSTM buffers reach
    about 100 MiB, above any mmap threshold glibc accepts) and raises its trim threshold
    (``mallopt``), so those buffers are recycled inside the process, at the cost of the
    process keeping up to 1 GiB of freed memory.

    It changes the allocator of the whole process, which is why sklstm never calls it
    behind your back: the ``sklstm`` command line and the benchmarks call it, and you can
    call it once at the start of a script. Running Python under tcmalloc
    (``LD_PRELOAD=libtcmalloc_minimal.so.4``) has a similar effect.

    Returns
    -------
    applied : bool
        True if the thresholds were set, False where the C library is not glibc.

    Examples
    --------
    >>> import sklstm
    >>> sklstm.reuse_freed_memory() in (True, False)
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_MAX, 0) and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
