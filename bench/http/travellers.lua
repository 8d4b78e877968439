-- wrk script: each request is one `traveller_crossing`, POSTed as
-- application/json to /v1/commands by a gate token
-- (bench/http/travellers.sh runs it).
--
--   ZG_TOKEN=... ZG_CREDENTIALS=FILE ZG_RUN=c32 \
--     wrk -t1 -c32 -d10s --latency -s bench/http/travellers.lua http://127.0.0.1:PORT/v1/commands
--
-- ZG_CREDENTIALS  a file of credentials, one per line (enrolled travellers)
-- ZG_RUN          a prefix that keeps the ids unique across runs
-- ZG_BATCH        crossings per request (default 1: application/json; more:
--                 a JSON Lines batch, as a hall's lane controller would send)
-- ZG_PASS         the pass over the travellers this run starts at (in on
--                 even passes, out on odd ones, so nobody enters twice)
--
-- Request n crosses traveller n mod N, in or out by its pass, with a good
-- score and liveness: every decision should be "open". The first pass over
-- the travellers verifies each credential (Ed25519); later passes find it
-- in the engine's cache. A request wrk generates but never sends (a
-- connection that failed) leaves its traveller on the wrong side, so their
-- next crossing in is referred (already_inside): refer <= socket_errors is
-- the harness, not the zone. done() prints one line the harness parses:
--   zg-result: requests=R seconds=S open=O refer=F rejected=J non200=N p50_ms=..

local creds = {}
local sent, first_pass, prefix, last_second, at, batch = 0, 0, "", -1, "", 1

function init(args)
  local token = os.getenv("ZG_TOKEN") or error("ZG_TOKEN is not set")
  local file = io.open(os.getenv("ZG_CREDENTIALS") or error("ZG_CREDENTIALS is not set"))
  for line in file:lines() do table.insert(creds, line) end
  file:close()
  if #creds == 0 then error("no credentials") end
  prefix = (os.getenv("ZG_RUN") or "tc") .. "-"
  first_pass = tonumber(os.getenv("ZG_PASS") or "0")
  batch = tonumber(os.getenv("ZG_BATCH") or "1")
  open, refer, rejected, non200, first_failure = 0, 0, 0, 0, ""
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = batch > 1 and "application/x-ndjson" or "application/json"
end

local function crossing()
  local n = sent
  sent = sent + 1
  local second = os.time()
  if second ~= last_second then
    last_second = second
    at = os.date("!%Y-%m-%dT%H:%M:%SZ", second)
  end
  local pass = first_pass + math.floor(n / #creds)
  local direction = (pass % 2 == 0) and "in" or "out"
  local body = '{"type":"traveller_crossing","id":"' .. prefix .. n .. '","at":"' .. at ..
               '","channel":"HENGQIN-PORT-HALL-A","direction":"' .. direction ..
               '","credential":"' .. creds[n % #creds + 1] ..
               '","biometric_score":"0.975","liveness":true,"goods_to_declare":false}'
  return body
end

function request()
  if batch == 1 then return wrk.format(nil, nil, nil, crossing()) end
  local lines = {}
  for i = 1, batch do lines[i] = crossing() end
  return wrk.format(nil, nil, nil, table.concat(lines, "\n") .. "\n")
end

local function count(body, text)
  local found, from = 0, 1
  while true do
    local at = string.find(body, text, from, true)
    if not at then return found end
    found, from = found + 1, at + #text
  end
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_failure == "" then first_failure = status .. " " .. string.sub(body or "", 1, 300) end
    return
  end
  local o = count(body, '"decision":"open"')
  local accepted = count(body, '"status":"accepted"')
  open = open + o
  refer = refer + accepted - o
  rejected = rejected + batch - accepted
  if accepted ~= o or accepted ~= batch then
    if first_failure == "" then first_failure = string.sub(body, 1, 300) end
  end
end

local threads = {}
function setup(thread) table.insert(threads, thread) end

function done(summary, latency, requests)
  local o, f, j, n, failure = 0, 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    o = o + thread:get("open")
    f = f + thread:get("refer")
    j = j + thread:get("rejected")
    n = n + thread:get("non200")
    if failure == "" then failure = thread:get("first_failure") end
  end
  if failure ~= "" then io.write("zg-first-failure: ", failure, "\n") end
  io.write(string.format(
    "zg-result: requests=%d decisions=%d seconds=%.3f open=%d refer=%d rejected=%d non200=%d socket_errors=%d " ..
    "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    summary.requests, o + f, summary.duration / 1e6, o, f, j, n,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
