-- check.lua: what every wrk script of `make bench-http` shares. It counts
-- the answers by status, and at the end prints one line for the case
--
--   <name>: <req/s> req/s, p50 <ms>, p99 <ms>, <n> requests (<status>: <n>, …), <bad> bad
--
-- and exits 1 when any answer had another status than expect= or a
-- socket error or timeout happened, so that a run that measured errors
-- (or 200s where 304s were wanted) fails instead of printing a figure.
--
-- Arguments after wrk's "--" are key=value: name= (the case, for the
-- summary line), expect= (the status that counts, default 200), also=
-- (another status that counts too: 204 for the empty tiles of tiles.lua),
-- count=0 to skip the per-status count (wrk then reads no headers or
-- bodies into Lua, and only its own count of statuses > 399 is checked),
-- and what the script that loads this file reads (bbox.lua, feature.lua).
--
-- Load it first with: dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "check.lua")

local threads = {}

-- setup runs in the main environment, once a thread: it numbers the
-- threads (their seeds differ) and keeps them for done().
function setup(thread)
	table.insert(threads, thread)
	thread:set("id", #threads)
end

-- args and statuses are globals of each thread's environment; done()
-- reads them from there.
args = {}
statuses = {}

local function count(status)
	statuses[status] = (statuses[status] or 0) + 1
end

-- check_init parses the key=value arguments into args, and drops the
-- response hook when count=0. Scripts call it first in their init().
function check_init(argv)
	for _, a in ipairs(argv) do
		local k, v = a:match("^([%w_]+)=(.*)$")
		if not k then
			error("wrk script argument " .. a .. " is not key=value")
		end
		args[k] = v
	end
	args.name = args.name or wrk.path
	args.expect = tonumber(args.expect or "200")
	args.also = tonumber(args.also or "0")
	if args.count == "0" then
		response = nil
	end
	return args
end

function init(argv)
	check_init(argv)
end

function response(status, headers, body)
	count(status)
end

local function ms(us)
	return string.format("%.2f ms", us / 1000)
end

function done(summary, latency, requests)
	local totals, keys = {}, {}
	local name, expect, also, counted = "?", 200, 0, true
	for _, t in ipairs(threads) do
		local a = t:get("args")
		name, expect, also, counted = a.name, a.expect, a.also, a.count ~= "0"
		for status, n in pairs(t:get("statuses")) do
			if not totals[status] then
				table.insert(keys, status)
			end
			totals[status] = (totals[status] or 0) + n
		end
	end
	table.sort(keys)
	local parts, bad = {}, 0
	for _, status in ipairs(keys) do
		table.insert(parts, status .. ": " .. totals[status])
		if status ~= expect and status ~= also then
			bad = bad + totals[status]
		end
	end
	local e = summary.errors
	if not counted then
		bad = e.status
		table.insert(parts, "not counted; > 399: " .. e.status)
	end
	local sock = e.connect + e.read + e.write + e.timeout
	bad = bad + sock
	local rate = summary.requests / (summary.duration / 1e6)
	io.write(string.format("%s: %.0f req/s, p50 %s, p99 %s, %d requests (%s), %d bad (not %d, or socket errors: connect %d, read %d, write %d, timeout %d)\n",
		name, rate, ms(latency:percentile(50)), ms(latency:percentile(99)), summary.requests,
		table.concat(parts, ", "), bad, expect, e.connect, e.read, e.write, e.timeout))
	io.flush()
	if bad > 0 or summary.requests == 0 then
		os.exit(1)
	end
end

-- reqs holds requests prepared in init(); prepared_request, set as a
-- script's request(), sends them in turn (building one per request would
-- cost the load generator CPU the server needs).
reqs = {}
local next_req = 0
function prepared_request()
	next_req = next_req % #reqs + 1
	return reqs[next_req]
end
