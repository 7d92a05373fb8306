"""The talk's `ResourceHelper`: what a program cost from the line that made it to its end.

`ResourceHelper(__file__)` starts the count; `usage()` prints the module's name, its memory, user
and system CPU, their sum and the wall time, as the talk "Asynchronicity" showed them. The talk
does not show the class itself; its figures say that it counted from its own construction: a
generator's `mem: 4,096` (one page) is what the program added, as no whole Python process is
that small. So here `mem` is how far the peak resident set (`VmHWM`, bytes; the talk, on macOS,
read `ru_maxrss`) rose past where it stood when the helper was made, and the CPU and wall times
are those spent since. The comparison's own figures, the `--json` of the programs that fetch,
are the whole process's, as every Rust row's are.
"""

import resource
import sys
import time
from pathlib import Path


def peak_rss():
    """The process's peak resident set so far, in bytes: `VmHWM`, or `ru_maxrss` without /proc."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class ResourceHelper:
    def __init__(self, module):
        self.module = Path(module).name
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.user, self.system = usage.ru_utime, usage.ru_stime
        self.peak = peak_rss()
        self.start = time.perf_counter()
        # A program that fetches has imported `common`, which then reports the jobs workload;
        # the generator programs fetch nothing, and import it not at all (it would start an
        # origin).
        common = sys.modules.get("common")
        if common is not None:
            common.workload = "jobs"

    def usage(self):
        now = resource.getrusage(resource.RUSAGE_SELF)
        user, system = now.ru_utime - self.user, now.ru_stime - self.system
        print(f"module: {self.module}")
        print(f"mem:    {peak_rss() - self.peak:,}")
        print(f"utime:  {user:.6f}")
        print(f"stime:  {system:.6f}")
        print(f"cpu:    {user + system:.6f}")
        print(f"time:   {time.perf_counter() - self.start:.6f}")
