-- Checkout throughput: every connection loops createCart (with one item) -> updateCart
-- (shipping address) -> completeCart, and the summary counts placed orders per second.
--   VARIANT=variant_... [TOKEN=<access token>] \
--     wrk -t4 -c4 -d20s -s benches/wrk-checkout.lua http://127.0.0.1:8080/graphql
-- One connection per thread (-t equal to -c): each thread walks its own cart through the
-- steps. VARIANT should not run out of stock (untracked or backorderable), or refusals are
-- counted as such. With TOKEN the carts are a signed-in customer's (and the orders fill their
-- history); without it they are guests' and the cart token is sent as X-Order-Token.
local variant = assert(os.getenv("VARIANT"), "set VARIANT to a variant id")
local customer = os.getenv("TOKEN")

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  step, cart, token = 1, nil, nil
  placed, refused = 0, 0
end

local address = '{ address1: \\"1 Navy Yard\\", city: \\"Arlington\\", countryCode: \\"US\\", provinceCode: \\"VA\\" }'

local function post(query)
  local headers = { ["Content-Type"] = "application/json" }
  if customer then
    headers["Authorization"] = "Bearer " .. customer
  elseif token then
    headers["X-Order-Token"] = token
  end
  return wrk.format("POST", wrk.path, headers, '{"query":"' .. query .. '"}')
end

function request()
  if step == 1 then
    return post('mutation { createCart(input: { email: \\"bench@example.com\\", items: [{ variantId: \\"'
      .. variant .. '\\", quantity: 1 }] }) { id token } }')
  elseif step == 2 then
    return post('mutation { updateCart(cartId: \\"' .. cart .. '\\", input: { shippingAddress: { address: '
      .. address .. ' } }) { id } }')
  else
    return post('mutation { completeCart(cartId: \\"' .. cart .. '\\") { number } }')
  end
end

function response(status, headers, body)
  local failed = status ~= 200 or string.find(body, '"errors"')
  if step == 1 then
    cart = string.match(body, '"id":"(cart_%w+)"')
    token = string.match(body, '"token":"(%x+)"')
    step = cart and 2 or 1
    if not cart then refused = refused + 1 end
  elseif step == 2 then
    step = failed and 1 or 3
    if failed then refused = refused + 1 end
  else
    if failed then refused = refused + 1 else placed = placed + 1 end
    step, cart, token = 1, nil, nil
  end
end

function done(summary, latency, requests)
  local total_placed, total_refused = 0, 0
  for _, thread in ipairs(threads) do
    total_placed = total_placed + thread:get("placed")
    total_refused = total_refused + thread:get("refused")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "checkout: %.1f orders/s (%d placed, %d refused)  requests: %.1f/s  p50 %.2f ms  p99 %.2f ms\n",
    total_placed / seconds, total_placed, total_refused, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
