-- Prints one machine-readable line after a wrk run: requests/s, p95 latency and error counts.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f p95_ms=%.1f p50_ms=%.1f requests=%d errors=%d non2xx=%d\n",
    summary.requests / seconds, latency:percentile(95) / 1000, latency:percentile(50) / 1000,
    summary.requests, errors, summary.errors.status))
end
