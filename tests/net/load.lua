-- wrk script of tests/net/load_test.py: request i of each wrk thread goes
-- to /crash/i when i is a multiple of 10, else to /ok/i; every 200 must
-- read "ok:N:N" (the same N twice).  done() prints one RESULT line with the
-- totals of all threads and wrk's own error counts.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  i = 0
  sent_ok = 0
  sent_crash = 0
  ok = 0
  bad = 0
  s500 = 0
  other = 0
end

function request()
  i = i + 1
  if i % 10 == 0 then
    sent_crash = sent_crash + 1
    return wrk.format("GET", "/crash/" .. i)
  end
  sent_ok = sent_ok + 1
  return wrk.format("GET", "/ok/" .. i)
end

function response(status, headers, body)
  if status == 200 then
    local a, b = string.match(body, "^ok:(%d+):(%d+)$")
    if a and a == b then ok = ok + 1 else bad = bad + 1 end
  elseif status == 500 then
    s500 = s500 + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local t = {sent_ok = 0, sent_crash = 0, ok = 0, bad = 0, s500 = 0, other = 0}
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + th:get(k) end
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d sent_ok=%d sent_crash=%d ok=%d bad=%d s500=%d other=%d " ..
    "connect=%d read=%d write=%d timeout=%d\n", summary.requests, t.sent_ok, t.sent_crash, t.ok, t.bad,
    t.s500, t.other, e.connect, e.read, e.write, e.timeout))
end
