-- expect: 4: close failed
-- An error raised by __close.
do
  local x <close> = setmetatable({}, { __close = function() error("close failed") end })
end
