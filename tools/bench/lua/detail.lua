-- GET /api/v1/articles/{slug}, cycling over the slugs listed one per line in the file given as the
-- first script argument (a random sample of the whole table). Each thread starts at its own offset.
-- wrk -t2 -c16 -d10s -s detail.lua http://127.0.0.1:PORT -- slugs.txt
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  slugs = {}
  for line in io.lines(args[1]) do
    slugs[#slugs + 1] = line
  end
  i = (thread_number - 1) * math.floor(#slugs / 2)
end

function request()
  i = i + 1
  return wrk.format("GET", "/api/v1/articles/" .. slugs[(i % #slugs) + 1])
end
