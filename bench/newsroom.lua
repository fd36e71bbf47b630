-- The newsroom mix for bench/edge.py: each request takes the next path of the
-- file named by MIX_PATHS (drawn beforehand with a popularity skew), and every
-- answer's cache header (CACHE_HEADER: X-Cache from Varnish, X-Vigil-Cache
-- from Vigil) is counted. One JSON line at the end: throughput, latency
-- percentiles (ms), errors and the counts of each cache answer.
local paths = {}
local counter = 0
local threads = {}
local header = os.getenv("CACHE_HEADER") or "X-Cache"

setup = function(thread)
  threads[#threads + 1] = thread
end

init = function(args)
  for line in io.lines(os.getenv("MIX_PATHS")) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  hit, miss, stale, pass, none = 0, 0, 0, 0, 0
end

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

response = function(status, headers, body)
  local answer = headers[header]
  if answer == "hit" then hit = hit + 1
  elseif answer == "miss" then miss = miss + 1
  elseif answer == "stale" then stale = stale + 1
  elseif answer == "pass" then pass = pass + 1
  else none = none + 1 end
end

done = function(summary, latency, requests)
  local counts = {hit = 0, miss = 0, stale = 0, pass = 0, none = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do
      counts[name] = counts[name] + (thread:get(name) or 0)
    end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "non_2xx_3xx": %d, "socket_errors": %d, "hit": %d, "miss": %d, "stale": %d, "pass": %d, "none": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    counts.hit, counts.miss, counts.stale, counts.pass, counts.none))
end
