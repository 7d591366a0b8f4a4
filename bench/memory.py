"""RSS of the gunicorn workers, sampled from /proc while an export runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


class RssSampler:
    """Samples every worker every `interval` seconds; the serving worker is the one that used
    the most CPU during the sampling window (sync workers serve one request at a time)."""

    def __init__(self, pids: list[int], interval: float = 0.1):
        self.pids = pids
        self.interval = interval
        self.ticks = {pid: cpu_ticks(pid) for pid in pids}
        self.series: dict[int, list[tuple[float, int]]] = {pid: [] for pid in pids}
        self._t0 = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        now = time.monotonic() - self._t0
        for pid in self.pids:
            self.series[pid].append((now, rss_kib(pid) or 0))

    def _run(self) -> None:
        self._sample()
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def result(self) -> dict:
        busiest = max(self.pids, key=lambda pid: cpu_ticks(pid) - self.ticks[pid])
        series = self.series[busiest]
        start, peak = series[0][1], max(rss for _t, rss in series)
        # RSS once the export is under way (10% of its duration): what "flat" is judged from.
        settled = next(rss for t, rss in series if t >= series[-1][0] * 0.1)
        step = max(1, len(series) // 40)
        return {
            "worker_pid": busiest,
            "rss_start_mb": _mb(start),
            "rss_at_10pct_mb": _mb(settled),
            "rss_peak_mb": _mb(peak),
            "rss_growth_mb": _mb(peak - start),
            "rss_growth_after_10pct_mb": _mb(peak - settled),
            "samples": len(series),
            "timeline_s_mb": [(round(t, 1), _mb(rss)) for t, rss in series[::step]],
        }


def _mb(kib: int) -> float:
    return round(kib / 1024, 1)
