-- GET /api/v1/articles/feed?limit=20 signed in as the user whose token is the first script argument.
-- wrk -t2 -c16 -d10s -s feed.lua http://127.0.0.1:PORT/api/v1/articles/feed?limit=20 -- TOKEN
function init(args)
  wrk.headers["Authorization"] = "Token " .. args[1]
end
