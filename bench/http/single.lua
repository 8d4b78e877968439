-- wrk script: each request is one `declare` command, POSTed as
-- application/json to /v1/commands (bench/http/run_http.sh runs it).
--
--   ZG_TOKEN=... ZG_USCCS=U1,U2,... ZG_RUN=s32 \
--     wrk -t1 -c32 -d10s --latency -s bench/http/single.lua http://127.0.0.1:PORT/v1/commands
--
-- ZG_TOKEN  an officer token (it may declare for any enterprise)
-- ZG_USCCS  comma-separated USCCs of registered in-zone enterprises; the
--           declarations cycle through them
-- ZG_RUN    a prefix that makes the ids unique in the zone: use a new one for
--           every run against the same data directory (a repeated id is
--           answered from the journal without work, and would flatter the figures)
--
-- Each declaration is a first-line entry into bonded processing, in CNY (no
-- exchange rate needed), one item, `at` = now (the HTTP door refuses an
-- `at` far from the time it receives the command). Ids: RUN-tTHREAD-N.
--
-- Every response is checked: status 200 and a body with "status":"accepted".
-- done() prints one line the harness parses:
--   zg-result: kind=single requests=R seconds=S accepted=A rejected=J non200=N
--              p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..

local threads = {}
local next_thread = 1

function setup(thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

local function split(text, sep)
  local out = {}
  for piece in string.gmatch(text, "[^" .. sep .. "]+") do table.insert(out, piece) end
  return out
end

local usccs, prefix, template
local sent, last_second, at = 0, -1, ""

function init(args)
  local token = os.getenv("ZG_TOKEN") or error("ZG_TOKEN is not set")
  usccs = split(os.getenv("ZG_USCCS") or error("ZG_USCCS is not set"), ",")
  if #usccs == 0 then error("ZG_USCCS is empty") end
  prefix = (os.getenv("ZG_RUN") or "single") .. "-t" .. thread_number .. "-"
  accepted, rejected, non200, first_failure = 0, 0, 0, ""
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
  template = '{"type":"declare","id":"%s%d","at":"%s","movement":"first_line_entry",' ..
             '"declarant":"%s","purpose":"processing","currency":"CNY",' ..
             '"items":[{"item":"CHIP-%d","hs":"85423100","description":"integrated circuits",' ..
             '"origin":"KR","quantity":"100","unit":"pcs","value":"5000.00"}]}'
end

function request()
  sent = sent + 1
  local second = os.time()
  if second ~= last_second then
    last_second = second
    at = os.date("!%Y-%m-%dT%H:%M:%SZ", second)
  end
  local body = string.format(template, prefix, sent, at, usccs[sent % #usccs + 1], sent % 8)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_failure == "" then first_failure = status .. " " .. string.sub(body or "", 1, 300) end
  elseif string.find(body, '"status":"accepted"', 1, true) then
    accepted = accepted + 1
  else
    rejected = rejected + 1
    if first_failure == "" then first_failure = string.sub(body, 1, 300) end
  end
end

function done(summary, latency, requests)
  local a, j, n, failure = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    a = a + thread:get("accepted")
    j = j + thread:get("rejected")
    n = n + thread:get("non200")
    if failure == "" then failure = thread:get("first_failure") end
  end
  local e = summary.errors
  if failure ~= "" then io.write("zg-first-failure: ", failure, "\n") end
  io.write(string.format(
    "zg-result: kind=single requests=%d seconds=%.3f accepted=%d rejected=%d non200=%d " ..
    "socket_errors=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    summary.requests, summary.duration / 1e6, a, j, n,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
