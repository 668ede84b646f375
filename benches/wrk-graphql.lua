-- Catalogue latency: one GraphQL query, repeated.
--   QUERY=listing wrk -t2 -c8 -d20s --latency -s benches/wrk-graphql.lua http://127.0.0.1:8080/graphql
-- QUERY is one of the keys below; run against a release server seeded with
-- `storefront seed --products 10000`. `orders` and `orders_full` read the signed-in
-- customer's history: set TOKEN to their access token.
local queries = {
  listing = '{ products(first: 20) { totalCount nodes { id name slug price { formatted } } } }',
  listing_full = '{ products(first: 100) { nodes { id name variants { sku price { formatted } optionValues { name } } categories { permalink } } } }',
  search = '{ products(first: 20, filter: { search: \\"wool sweater\\" }) { totalCount nodes { id name } } }',
  price_sort = '{ products(first: 20, sort: PRICE_ASC) { nodes { id name price { formatted } } } }',
  orders = '{ me { orders(first: 10) { totalCount nodes { number status total { formatted } } } } }',
  orders_full = '{ me { addresses { id } orders(first: 50) { nodes { number lineItems { quantity variant { sku product { name } } } } } } }',
}
local name = os.getenv("QUERY") or "listing"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("TOKEN") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
end
wrk.body = '{"query":"' .. assert(queries[name], "unknown QUERY " .. name) .. '"}'

local failures = 0
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"') then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("%s: %.1f req/s  p50 %.2f ms  p99 %.2f ms  errors %d\n", name,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + failures))
end
