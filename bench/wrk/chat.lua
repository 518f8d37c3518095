-- A non-streamed chat completion, as an OpenAI SDK sends it: POST with a small JSON body.
-- At the end, one machine-readable line for bench/run.sh: the rate, the errors and the latency
-- percentiles in microseconds (wrk's own summary rounds a one-second latency to "1.00s").
wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer x"
wrk.body = '{"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"Hello"}]}'

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "wrk-figures requests=%d duration_us=%d rps=%.1f connect_errors=%d read_errors=%d " ..
    "write_errors=%d status_errors=%d timeouts=%d " ..
    "min_us=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.min, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
