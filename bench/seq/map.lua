local m, n = {}, 0
for i = 0, 999999 do m["key" .. i] = i end
for _ in pairs(m) do n = n + 1 end
local acc = 0
for i = 0, 999999 do acc = acc + m["key" .. i] end
print(n, acc)
