"""Date, CPU, cores and load for the benchmark reports (no launchwatch import, so a
half-finished change elsewhere in the package cannot stop a benchmark from starting)."""
from __future__ import annotations

import os
import platform
from datetime import date
from pathlib import Path


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return {"date": date.today().isoformat(), "cpu": model or "unknown", "cores": os.cpu_count(),
            "python": platform.python_version(), "platform": platform.platform(terse=True),
            "load_1min": round(os.getloadavg()[0], 2)}


def checkout(root: Path) -> dict:
    """The commit measured, and the files under src/ that differ from it (other work in a shared checkout)."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    return {"commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted_src": [line[3:] for line in git("status", "--porcelain", "--", "src").splitlines()]}
