"""What the memory benchmarks share: a fit measured in a fresh process.

Linux only: the process's memory counters come from ``/proc/self``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def status_kb(field: str) -> int:
    """A counter of ``/proc/self/status`` (``"VmRSS:"``, ``"VmHWM:"``, ...), kB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    raise RuntimeError(field)


def reset_peak_rss() -> None:
    """Reset the peak-RSS counter (``VmHWM``) to the current RSS."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def run_fresh(module: str, function: str, case: dict):
    """``module.function(case)`` in a fresh Python process, for a memory peak
    that no earlier work in this one inflates; ``case`` and the result travel
    as JSON."""
    here = os.path.dirname(os.path.abspath(__file__))
    code = (
        f"import json, sys; sys.path.insert(0, {here!r})\n"
        f"from {module} import {function}\n"
        f"print(json.dumps({function}(json.loads({json.dumps(case)!r}))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])
