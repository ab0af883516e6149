-- POST /api/v1/articles as the user whose token is the first script argument, each body with a
-- unique title (run id, thread number, counter), so that no request pays for a slug collision.
-- wrk -t2 -c16 -d10s -s post_article.lua http://127.0.0.1:PORT/api/v1/articles -- TOKEN RUN_ID
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  token, run_id, counter = args[1], args[2], 0
end

function request()
  counter = counter + 1
  local title = string.format("Bench %s %d %d", run_id, thread_number, counter)
  local body = string.format(
    '{"article": {"title": "%s", "description": "Benchmark article", ' ..
    '"body": "Written by the load generator to measure publishing.", "tagList": ["bench", "load"]}}',
    title)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. token,
  }, body)
end
