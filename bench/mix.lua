-- A read mix over many URLs: each request takes the next path of the file
-- named by the MIX_PATHS environment variable (one path a line), round robin,
-- so the server sees many pages, not one. The summary line is report.lua's.
local paths = {}
local counter = 0

init = function(args)
  for line in io.lines(os.getenv("MIX_PATHS")) do
    if line ~= "" then paths[#paths + 1] = line end
  end
end

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

dofile(os.getenv("REPORT_LUA"))
