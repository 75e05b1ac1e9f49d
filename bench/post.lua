-- wrk script for the listen benchmark: POST the file named by $BENCH_BODY as JSON,
-- the way a provider calls a webhook.
local path = assert(os.getenv("BENCH_BODY"), "set BENCH_BODY to the body file")
local file = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
