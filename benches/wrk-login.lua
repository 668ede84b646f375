-- Login throughput: `wrk -t2 -c16 -d20s -s benches/wrk-login.lua http://127.0.0.1:8080/graphql`
-- against a release server whose login throttles are raised, with the account
-- bench@example.com / "correct horse battery staple" registered first.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"mutation { login(email: \\"bench@example.com\\", password: \\"correct horse battery staple\\") { token } }"}'

local failures = 0
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"token"') then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("logins/s: %.1f  p50: %.1f ms  p99: %.1f ms\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
