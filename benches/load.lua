-- The wrk script behind benches/load.py (which sets everything below); usable by hand too:
--   BENCH_BODIES='{"query":"{ shop { name } }"}' BENCH_METHOD=POST \
--     wrk -t2 -c16 -d10s --latency -s benches/load.lua http://127.0.0.1:8080/graphql
-- Its last line is `BENCH_JSON {...}`: requests, duration, rate, p50/p90/p99, errors.
--
-- Environment:
--   BENCH_MODE     fixed (default): the same request, or a rotation of them;
--                  refresh: each thread rotates its own refresh token (run -t equal to -c);
--                  checkout: each thread walks guest carts createCart -> updateCart -> completeCart
--                  (run -t equal to -c).
--   BENCH_METHOD   GET (default) or POST.
--   BENCH_BODIES   request bodies, one per line, rotated per request (POST; JSON gets its
--                  Content-Type).
--   BENCH_HEADERS  extra headers, one `Name: value` per line.
--   BENCH_TOKENS   fixed: bearer tokens (comma list) rotated per request;
--                  refresh: refresh tokens (comma list), the n-th thread takes the n-th.
--   BENCH_CHECK    status (default): a non-2xx answer is an error;
--                  graphql: also an answer holding "errors".
--   BENCH_VARIANT  checkout: a variant that does not run out (untracked or backorderable).
-- Errors are counted per thread in response() and summed in done(); socket errors and timeouts
-- come from wrk's own summary.

local mode = os.getenv("BENCH_MODE") or "fixed"
local check_graphql = os.getenv("BENCH_CHECK") == "graphql"

local function split(text, sep)
  local out = {}
  if not text or text == "" then return out end
  for part in string.gmatch(text, "([^" .. sep .. "]+)") do
    if part ~= "" then table.insert(out, part) end
  end
  return out
end

local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
  table.insert(threads, thread)
end

local headers = { }
for _, line in ipairs(split(os.getenv("BENCH_HEADERS"), "\n")) do
  local name, value = string.match(line, "^%s*([^:]+):%s*(.-)%s*$")
  if name then headers[name] = value end
end

local method = os.getenv("BENCH_METHOD") or "GET"
local bodies = split(os.getenv("BENCH_BODIES"), "\n")
local tokens = split(os.getenv("BENCH_TOKENS"), ",")

local function with_headers(extra)
  local h = {}
  for k, v in pairs(headers) do h[k] = v end
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

-- Per-thread state (each wrk thread has its own Lua state).
failures = 0
orders = 0
local turn = 0
local refresh_token = nil
local step, cart, cart_token = 1, nil, nil

function init(args)
  turn = thread_id or 0
  if mode == "refresh" then
    refresh_token = tokens[((thread_id or 1) - 1) % #tokens + 1]
  end
end

local function json_post(body, extra)
  local h = with_headers(extra)
  h["Content-Type"] = "application/json"
  return wrk.format("POST", wrk.path, h, body)
end

local address = '{ address1: \\"1 Navy Yard\\", city: \\"Arlington\\", countryCode: \\"US\\", provinceCode: \\"VA\\" }'

local function checkout_request()
  local variant = os.getenv("BENCH_VARIANT")
  local extra = cart_token and { ["X-Order-Token"] = cart_token } or nil
  if step == 1 then
    return json_post('{"query":"mutation { createCart(input: { email: \\"bench@example.com\\", items: [{ variantId: \\"'
      .. variant .. '\\", quantity: 1 }] }) { id token } }"}')
  elseif step == 2 then
    return json_post('{"query":"mutation { updateCart(cartId: \\"' .. cart
      .. '\\", input: { shippingAddress: { address: ' .. address .. ' } }) { id } }"}', extra)
  else
    return json_post('{"query":"mutation { completeCart(cartId: \\"' .. cart .. '\\") { number } }"}', extra)
  end
end

function request()
  if mode == "refresh" then
    return json_post('{"query":"mutation { refresh(refreshToken: \\"' .. refresh_token
      .. '\\") { token refreshToken } }"}')
  elseif mode == "checkout" then
    return checkout_request()
  end
  turn = turn + 1
  local extra = {}
  if #tokens > 0 then
    extra["Authorization"] = "Bearer " .. tokens[turn % #tokens + 1]
  end
  if #bodies > 0 then
    local h = with_headers(extra)
    if string.sub(bodies[1], 1, 1) == "{" then h["Content-Type"] = "application/json" end
    return wrk.format(method, wrk.path, h, bodies[turn % #bodies + 1])
  end
  return wrk.format(method, wrk.path, with_headers(extra))
end

local function failed(status, body)
  if status < 200 or status > 299 then return true end
  return check_graphql and body ~= nil and string.find(body, '"errors"', 1, true) ~= nil
end

function response(status, headers, body)
  local bad = failed(status, body)
  if mode == "refresh" then
    local next_token = not bad and string.match(body, '"refreshToken":"([^"]+)"')
    if next_token then refresh_token = next_token else failures = failures + 1 end
  elseif mode == "checkout" then
    if step == 1 then
      cart = not bad and string.match(body, '"id":"(cart_[%w_]+)"')
      cart_token = not bad and string.match(body, '"token":"([^"]+)"') or nil
      if cart then step = 2 else failures = failures + 1 end
    elseif step == 2 then
      if bad then failures = failures + 1; step = 1 else step = 3 end
    else
      if bad then failures = failures + 1 else orders = orders + 1 end
      step, cart, cart_token = 1, nil, nil
    end
  elseif bad then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local total_failures, total_orders = 0, 0
  for _, thread in ipairs(threads) do
    total_failures = total_failures + (thread:get("failures") or 0)
    total_orders = total_orders + (thread:get("orders") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"rps":%.3f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,'
      .. '"max_ms":%.3f,"failures":%d,"status_errors":%d,"socket_errors":%d,"timeouts":%d,"orders":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, total_failures, e.status,
    e.connect + e.read + e.write, e.timeout, total_orders))
end
