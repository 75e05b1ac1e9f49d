-- wrk script for the emulate benchmark: POST the Meta send in $BENCH_BODY with a bearer token,
-- the way an app calls the Graph API.
local path = assert(os.getenv("BENCH_BODY"), "set BENCH_BODY to the send body file")
local file = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-token"
