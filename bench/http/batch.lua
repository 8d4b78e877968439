-- wrk script: each request is a JSON Lines batch of ZG_BATCH `declare`
-- commands (default 1,000; the server takes at most 10,000 per request),
-- POSTed as application/x-ndjson to /v1/commands. wrk's -c is the number of
-- batches in flight. bench/http/run_http.sh runs it.
--
--   ZG_TOKEN=... ZG_USCCS=U1,U2,... ZG_RUN=b1k ZG_BATCH=1000 \
--     wrk -t1 -c4 -d10s --timeout 60s --latency -s bench/http/batch.lua \
--         http://127.0.0.1:PORT/v1/commands
--
-- Same environment and declarations as single.lua; ids RUN-tTHREAD-rREQUEST-LINE,
-- unique per request. The body is built once per thread as a table of
-- pieces; per request only the id prefix and `at` pieces change, so the
-- load generator spends little time on each line.
--
-- Every response is checked: status 200, then the result lines are counted
-- ("status":"accepted" and "status":"rejected"). The figure that matters is
-- accepted declarations per second; done() prints:
--   zg-result: kind=batch batch=B requests=R seconds=S accepted=A rejected=J non200=N
--              missing=M p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
-- (missing: result lines fewer or more than the commands sent, which must be 0)

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

local pieces, batch, prefix
local sent, last_second = 0, -1

function init(args)
  local token = os.getenv("ZG_TOKEN") or error("ZG_TOKEN is not set")
  local usccs = split(os.getenv("ZG_USCCS") or error("ZG_USCCS is not set"), ",")
  if #usccs == 0 then error("ZG_USCCS is empty") end
  batch = tonumber(os.getenv("ZG_BATCH") or "1000")
  prefix = (os.getenv("ZG_RUN") or "batch") .. "-t" .. thread_number .. "-r"
  accepted, rejected, non200, missing, first_failure = 0, 0, 0, 0, ""
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/x-ndjson"
  -- Line i is pieces[4i-3 .. 4i]: the id prefix (per request), "-i" and the
  -- opening of `at`, `at` itself (per second), the rest of the line.
  pieces = {}
  for i = 1, batch do
    pieces[4 * i - 3] = ""
    pieces[4 * i - 2] = "-" .. i .. '","at":"'
    pieces[4 * i - 1] = ""
    pieces[4 * i] = string.format(
      '","movement":"first_line_entry","declarant":"%s","purpose":"processing",' ..
      '"currency":"CNY","items":[{"item":"CHIP-%d","hs":"85423100",' ..
      '"description":"integrated circuits","origin":"KR","quantity":"100","unit":"pcs",' ..
      '"value":"5000.00"}]}\n', usccs[i % #usccs + 1], i % 8)
  end
end

local head = '{"type":"declare","id":"'

function request()
  sent = sent + 1
  local id_prefix = head .. prefix .. sent
  for i = 1, batch do pieces[4 * i - 3] = id_prefix end
  local second = os.time()
  if second ~= last_second then
    last_second = second
    local at = os.date("!%Y-%m-%dT%H:%M:%SZ", second)
    for i = 1, batch do pieces[4 * i - 1] = at end
  end
  return wrk.format(nil, nil, nil, table.concat(pieces))
end

local function count(body, needle)
  local n, from = 0, 1
  while true do
    local at = string.find(body, needle, from, true)
    if not at then return n end
    n = n + 1
    from = at + #needle
  end
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_failure == "" then first_failure = status .. " " .. string.sub(body or "", 1, 300) end
    return
  end
  local a = count(body, '"status":"accepted"')
  local j = count(body, '"status":"rejected"')
  accepted = accepted + a
  rejected = rejected + j
  if a + j < batch then missing = missing + batch - a - j end
  if a + j > batch then missing = missing + a + j - batch end
  if j > 0 and first_failure == "" then
    local at = string.find(body, '"status":"rejected"', 1, true)
    first_failure = string.sub(body, math.max(1, at - 100), at + 300)
  end
end

function done(summary, latency, requests)
  local a, j, n, m, failure = 0, 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    a = a + thread:get("accepted")
    j = j + thread:get("rejected")
    n = n + thread:get("non200")
    m = m + thread:get("missing")
    if failure == "" then failure = thread:get("first_failure") end
  end
  local e = summary.errors
  if failure ~= "" then io.write("zg-first-failure: ", failure, "\n") end
  io.write(string.format(
    "zg-result: kind=batch batch=%d requests=%d seconds=%.3f accepted=%d rejected=%d " ..
    "non200=%d missing=%d socket_errors=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    tonumber(os.getenv("ZG_BATCH") or "1000"), summary.requests, summary.duration / 1e6, a, j, n, m,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
