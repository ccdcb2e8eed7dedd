-- tiles.lua: a vector tile per request, a random tile of zoom z= inside
-- the box bbox= (lon/lat), each URL made unique by a v= of its own so
-- that the response cache misses (the MVT miss cases of `make
-- bench-http`); with fixed=1 it asks for one tile, the box's centre,
-- again and again (the cached case). From a seeded RNG.
--
--   wrk -t2 -c32 -d10s --latency -s cmd/loadgen/wrk/tiles.lua URL/ogc/collections/synthetic/tiles/WebMercatorQuad -- z=14 seed=1
--
-- Arguments (besides check.lua's): z= the zoom (default 14); bbox=
-- minLon,minLat,maxLon,maxLat (default 108.80,34.15,109.10,34.40, the
-- city's core; a tile the synthetic layer leaves empty is a 204: pass
-- also=204); seed= (default 1; each thread adds its number);
-- requests= how many requests each thread prepares and then cycles
-- through (default 200000).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "check.lua")

-- tile returns the column and row of lon, lat at zoom z (WebMercatorQuad).
local function tile(lon, lat, z)
	local n = 2 ^ z
	local x = math.floor((lon + 180) / 360 * n)
	local r = math.rad(lat)
	local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
	return x, y
end

function init(argv)
	local a = check_init(argv)
	local z = tonumber(a.z or "14")
	local b = {}
	for v in (a.bbox or "108.80,34.15,109.10,34.40"):gmatch("[^,]+") do
		table.insert(b, tonumber(v))
	end
	if #b ~= 4 then
		error("tiles.lua: bbox= needs minLon,minLat,maxLon,maxLat")
	end
	local x0, y0 = tile(b[1], b[4], z)
	local x1, y1 = tile(b[3], b[2], z)
	math.randomseed(tonumber(a.seed or "1") * 1000 + id)
	local base, query = wrk.path, ""
	local q = wrk.path:find("?", 1, true)
	if q then
		base, query = wrk.path:sub(1, q - 1), wrk.path:sub(q)
	end
	if a.fixed == "1" then
		local x, y = tile((b[1] + b[3]) / 2, (b[2] + b[4]) / 2, z)
		reqs[1] = wrk.format(nil, string.format("%s/%d/%d/%d%s", base, z, y, x, query))
		return
	end
	local sep = query == "" and "?" or "&"
	-- Prepared once: building a request string per request would cost
	-- the load generator CPU the server needs.
	for i = 1, tonumber(a.requests or "200000") do
		local x, y = math.random(x0, x1), math.random(y0, y1)
		reqs[i] = wrk.format(nil, string.format("%s/%d/%d/%d%s%sv=miss-%d-%d", base, z, y, x, query, sep, id, i))
	end
end

request = prepared_request
