-- wrk script for bench/api_bench.py: rotates through the URL paths in a file (one per line),
-- sending the Authorization header given on the command line, and prints the latency
-- distribution as one JSON line (1000 quantiles, so that runs in slices can be merged).
--   wrk -t2 -c16 -d20s -s bench/api_wrk.lua http://127.0.0.1:8765 -- paths.txt "Token ..."
local requests = {}
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 7919)
end

function init(args)
  local headers = {}
  if args[2] and args[2] ~= "" then
    headers["Authorization"] = args[2]
  end
  for line in io.lines(args[1]) do
    if line ~= "" then
      requests[#requests + 1] = wrk.format("GET", line, headers)
    end
  end
  -- Each thread starts at a different place in the list.
  counter = (offset or 0) % #requests
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function done(summary, latency, requests_stats)
  local q = {}
  for i = 1, 1000 do
    q[i] = latency:percentile(i / 10)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}, "quantiles_us": [%s]}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(q, ",")))
end
