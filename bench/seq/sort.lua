local xs = {}
for i = 0, 999999 do xs[#xs + 1] = (i * 7919) % 1000003 end
table.sort(xs, function(a, b) return a < b end)
print(#xs, xs[1], xs[#xs])
