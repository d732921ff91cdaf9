"""Timing helpers the benchmark scripts share."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def best_and_median_ms(call: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Run ``call`` ``repeats`` times; the fastest and the median run, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)
