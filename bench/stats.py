"""Medians with their spread, percentiles, and a description of the machine."""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import asdict, dataclass

from django.utils import timezone


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; NaN-free for one value."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Figure:
    """One measured quantity: the median of several runs and the min–max of those runs."""

    median: float
    low: float
    high: float
    runs: int
    unit: str

    @classmethod
    def of(cls, values: list[float], unit: str) -> Figure:
        return cls(statistics.median(values), min(values), max(values), len(values), unit)

    def as_dict(self) -> dict:
        return asdict(self)

    def text(self, digits: int = 1) -> str:
        fmt = f"{{:,.{digits}f}}"
        return f"{fmt.format(self.median)} ({fmt.format(self.low)}–{fmt.format(self.high)})"


def machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        model = platform.processor()
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            mem_kb = int(fh.readline().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    return {
        "cores": os.cpu_count() or 1,
        "cpu": model or "unknown",
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "date": timezone.now().isoformat(timespec="seconds"),
        # Other work on the machine skews every figure: recorded so a reader can tell.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
