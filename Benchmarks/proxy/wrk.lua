-- wrk script for Benchmarks/proxy/run.sh.
--   wrk ... -s wrk.lua URL -- cycle PREFIX N     requests PREFIX1 .. PREFIXN in turn (hits)
--   wrk ... -s wrk.lua URL -- unique PREFIX BASE  requests PREFIX(BASE+1), PREFIX(BASE+2), ...
--                                                 each id once (misses)
-- done() prints one RESULT line that run.sh parses (latencies in microseconds).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "cycle"
  prefix = args[2] or "/api/books/"
  if mode == "cycle" then
    local n = tonumber(args[3] or "100")
    requests = {}
    for k = 1, n do requests[k] = wrk.format("GET", prefix .. k) end
    -- Threads start at different points of the cycle.
    counter = (tid or 0) * 37 % n
  else
    -- Ids never repeat, across threads or across runs (run.sh passes a new BASE each run).
    base = tonumber(args[3] or "1000000") + (tid or 0) * 10000000
  end
end

function request()
  counter = counter + 1
  if mode == "cycle" then
    return requests[(counter - 1) % #requests + 1]
  end
  return wrk.format("GET", prefix .. (base + counter))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
    "mean_us=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
