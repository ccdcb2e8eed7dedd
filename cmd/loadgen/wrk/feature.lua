-- feature.lua: one feature per request, by a random id among the n
-- synthetic sites of `projectmap data synth` (synth-0000000 …), from a
-- seeded RNG (the PostGIS single-feature miss case of `make bench-http`).
--
--   wrk -t2 -c32 -d10s --latency -s cmd/loadgen/wrk/feature.lua URL/ogc/collections/synthetic/items/ -- n=100000 seed=1
--
-- Arguments (besides check.lua's): n= the number of synthetic sites
-- (default 100000); seed= (default 1; each thread adds its number);
-- requests= how many requests each thread prepares and then cycles
-- through (default 200000).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "check.lua")


function init(argv)
	local a = check_init(argv)
	local n = tonumber(a.n or "100000")
	math.randomseed(tonumber(a.seed or "1") * 1000 + id)
	for i = 1, tonumber(a.requests or "200000") do
		-- The ids are synthID's: "synth-%07d" from 0 to n-1.
		reqs[i] = wrk.format(nil, string.format("%ssynth-%07d", wrk.path, math.random(0, n - 1)))
	end
end

request = prepared_request
