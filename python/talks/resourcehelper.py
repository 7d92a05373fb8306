"""The talk's `ResourceHelper`: what a jobs program cost, printed at its end.

`ResourceHelper(__file__)` starts the clock; `usage()` prints the module's name, its peak
memory, user and system CPU, their sum and the wall time, as the talk "Asynchronicity" showed
them. Peak memory is the peak resident set (`VmHWM`, bytes) where the talk, on macOS, printed
`ru_maxrss`. It also tells `common` that this program runs the jobs workload.
"""

import time
from pathlib import Path

import common


class ResourceHelper:
    def __init__(self, module):
        self.module = Path(module).name
        self.start = time.perf_counter()
        common.workload = "jobs"

    def usage(self):
        user, system, peak, _ = common._usage()
        print(f"module: {self.module}")
        print(f"mem:    {peak:,}")
        print(f"utime:  {user:.6f}")
        print(f"stime:  {system:.6f}")
        print(f"cpu:    {user + system:.6f}")
        print(f"time:   {time.perf_counter() - self.start:.6f}")
