-- Lua 5.4 has no JSON library: a minimal encoder/decoder written in Lua.
local function enc(v, out)
  local t = type(v)
  if t == "table" then
    if v[1] ~= nil or next(v) == nil then
      out[#out + 1] = "["
      for i, x in ipairs(v) do if i > 1 then out[#out + 1] = "," end enc(x, out) end
      out[#out + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = k end
      table.sort(keys)
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = string.format("%q", k) out[#out + 1] = ":" enc(v[k], out)
      end
      out[#out + 1] = "}"
    end
  elseif t == "string" then out[#out + 1] = '"' .. v .. '"'
  else out[#out + 1] = tostring(v) end
end
local function dec(s)
  local pos = 1
  local function ws() pos = s:find("[^ \t\r\n]", pos) or #s + 1 end
  local val
  function val()
    ws()
    local c = s:sub(pos, pos)
    if c == "{" then
      local o = {} pos = pos + 1 ws()
      if s:sub(pos, pos) == "}" then pos = pos + 1 return o end
      while true do
        ws() local k = val() ws() pos = pos + 1 o[k] = val() ws()
        local d = s:sub(pos, pos) pos = pos + 1
        if d == "}" then return o end
      end
    elseif c == "[" then
      local a = {} pos = pos + 1 ws()
      if s:sub(pos, pos) == "]" then pos = pos + 1 return a end
      while true do
        a[#a + 1] = val() ws()
        local d = s:sub(pos, pos) pos = pos + 1
        if d == "]" then return a end
      end
    elseif c == '"' then
      local e = s:find('"', pos + 1, true) local r = s:sub(pos + 1, e - 1) pos = e + 1 return r
    else
      local e = s:find("[,%]}]", pos) local r = tonumber(s:sub(pos, e - 1)) pos = e return r
    end
  end
  return val()
end
local items = {}
for i = 0, 129999 do
  items[#items + 1] = {id = i, name = "item number " .. i, price = i * 0.25, tags = {"a", "bb", "ccc"}}
end
local out = {}
enc({items = items}, out)
local text = table.concat(out)
local d = dec(text)
print(#text, #d.items)
