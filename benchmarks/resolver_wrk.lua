-- wrk script of benchmarks/bench_resolver.py: random entity paths, one Accept header, expected status.
-- wrk ... -s resolver_wrk.lua -- N PREFIX ACCEPT STATUS
local n, prefix, accept, expected = 1000, "/doc/AirQualityObserved/station-", "text/turtle", 200
local bad = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  n = tonumber(args[1] or n)
  prefix = args[2] or prefix
  accept = args[3] or accept
  expected = tonumber(args[4] or expected)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  local path = string.format("%s%07d", prefix, math.random(0, n - 1))
  return wrk.format("GET", path, { ["Accept"] = accept })
end

function response(status, headers, body)
  if status ~= expected then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, t in ipairs(threads) do
    wrong = wrong + (t:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT {\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, \"wrong_status\": %d, " ..
    "\"socket_errors\": %d, \"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, \"max_us\": %d}\n",
    summary.requests, summary.duration, summary.bytes, wrong,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
