import platform
import subprocess
import sys

import sklstm


def test_reuse_freed_memory_applies_exactly_where_glibc_runs():
    on_glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert sklstm.reuse_freed_memory() is on_glibc


def test_freed_large_buffers_stay_in_the_process_for_reuse():
    # Under glibc's defaults a freed 100 MiB buffer is unmapped and must be faulted in anew
    # next time; after reuse_freed_memory() the heap keeps it, resident, for the next one.
    if not (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"):
        return
    script = """
import sys, numpy as np, sklstm
if sys.argv[1] == "reuse":
    sklstm.reuse_freed_memory()
def resident_mib():
    status = open("/proc/self/status").read()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024
before = resident_mib()
buffer = np.ones(100 * 2**20 // 8)
del buffer
print(resident_mib() - before)
"""
    kept_mib = {
        mode: int(subprocess.check_output([sys.executable, "-c", script, mode], text=True))
        for mode in ("default", "reuse")
    }
    assert kept_mib["default"] < 10
    assert kept_mib["reuse"] > 90
