-- GET each path listed one per line in the file given as the first script argument (path and query,
-- already URL-encoded), in turn: f's articles (a random sample of the whole table), s's searches
-- (tools/bench/probe.py SEARCH_QUERIES). Each thread starts at its own offset.
-- wrk -t2 -c16 -d10s -s paths.lua http://127.0.0.1:PORT -- detail.paths
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  i = (thread_number - 1) * math.floor(#paths / 2)
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
