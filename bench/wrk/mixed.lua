-- Mixed traffic for the soak (bench/run.sh soak): every request picks, from wrk's own random
-- numbers, one of chat, streamed chat, models, a body that is not JSON, a bad fault header, a
-- path with a byte that is not UTF-8, and a forced 503; each with a new random Bearer key (the
-- server's per-key state must stay bounded by --max-keys). `delay()` paces each connection.
local bodies = {
  chat = '{"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"Hello there"}]}',
  stream = '{"model":"gpt-3.5-turbo","stream":true,"messages":[{"role":"user","content":"Tell me more"}]}',
  broken = '{"model":"gpt-3.5-turbo","messages":[{"role":"user","content":',
}
local pause_ms = tonumber(os.getenv("LLMSIM_SOAK_PAUSE_MS") or "4")

local function headers(extra)
  local h = {["Content-Type"] = "application/json",
             ["Authorization"] = string.format("Bearer sk-soak-%08x%08x", math.random(0, 0x7fffffff),
                                               math.random(0, 0x7fffffff))}
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function request()
  local pick = math.random(1, 20)
  if pick <= 9 then return wrk.format("POST", "/v1/chat/completions", headers(), bodies.chat) end
  if pick <= 14 then return wrk.format("POST", "/v1/chat/completions", headers(), bodies.stream) end
  if pick <= 16 then return wrk.format("GET", "/v1/models", headers()) end
  if pick == 17 then return wrk.format("POST", "/v1/chat/completions", headers(), bodies.broken) end
  if pick == 18 then
    return wrk.format("POST", "/v1/chat/completions", headers({["x-llmsim-fault"] = "nonsense"}), bodies.chat)
  end
  if pick == 19 then return wrk.format("GET", "/v1/\255models", headers()) end
  return wrk.format("POST", "/v1/chat/completions", headers({["x-llmsim-fault"] = "503"}), bodies.chat)
end

function delay() return pause_ms end

function done(summary, latency, requests)
  io.write(string.format("wrk-figures requests=%d duration_us=%d rps=%.1f status_errors=%d\n",
                         summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
                         summary.errors.status))
end
