-- POST /api/v1/articles/{slug}/favorite, then DELETE (unfavorite) on the next pass: each thread is
-- its own user (tokens file, one per line) walking the slugs file from its own offset, so every
-- request changes a row (the slugs start unfavorited by these users) and the two alternate.
-- wrk -t2 -c16 -d10s -s favorite.lua http://127.0.0.1:PORT -- slugs.txt tokens.txt
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    lines[#lines + 1] = line
  end
  return lines
end

function init(args)
  slugs = read_lines(args[1])
  local tokens = read_lines(args[2])
  headers = {["Authorization"] = "Token " .. tokens[((thread_number - 1) % #tokens) + 1]}
  start = (thread_number - 1) * math.floor(#slugs / 2)
  i = 0
end

function request()
  local pass = math.floor(i / #slugs)
  local slug = slugs[((start + i) % #slugs) + 1]
  i = i + 1
  return wrk.format(pass % 2 == 0 and "POST" or "DELETE", "/api/v1/articles/" .. slug .. "/favorite", headers)
end
