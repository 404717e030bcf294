-- wrk script of benchmarks/bench_resolver.py: entity paths, one Accept header, an expected status.
--   wrk ... -s resolver_wrk.lua -- N PREFIX ACCEPT STATUS random|seq
-- "random": uniformly random entities; "seq": each thread walks every entity in turn (warm-up).
-- Prints one line "RESULT {json}" with requests, latency percentiles (us) and errors.
local n, prefix, accept, expected, mode = 1000, "/doc/AirQualityObserved/station-", "text/turtle", 200, "random"
local bad = 0
local next_i = 0
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  n = tonumber(args[1] or n)
  prefix = args[2] or prefix
  accept = args[3] or accept
  expected = tonumber(args[4] or expected)
  mode = args[5] or mode
  next_i = (id or 0) * math.floor(n / 2)
  math.randomseed(os.time() + (id or 0) * 7919)
end

function request()
  local i
  if mode == "seq" then
    i = next_i % n
    next_i = next_i + 1
  else
    i = math.random(0, n - 1)
  end
  return wrk.format("GET", string.format("%s%07d", prefix, i), { ["Accept"] = accept })
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
