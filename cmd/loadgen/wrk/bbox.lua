-- bbox.lua: a bbox page per request, each box drawn afresh, so that no
-- two requests are alike and a response cache misses (the PostGIS miss
-- case of `make bench-http`). The boxes are those `projectmap data synth`
-- times, district-sized (postgis.SynthBox on a side) around each
-- district's centroid, each moved by up to half its side in both
-- directions: a random district, a random offset, from a seeded RNG.
--
--   loadgen -synth-boxes > boxes.txt
--   wrk -t2 -c32 -d10s --latency -s cmd/loadgen/wrk/bbox.lua 'URL/ogc/collections/synthetic/items?limit=100' -- boxes=boxes.txt seed=1
--
-- Arguments (besides check.lua's): boxes= the file of boxes, one
-- minLon,minLat,maxLon,maxLat a line; seed= (default 1; each thread adds
-- its number); requests= how many distinct requests each thread prepares
-- and then cycles through (default 200000: more than a 10 s run sends).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "check.lua")


local function read_boxes(file)
	local boxes = {}
	for line in io.lines(file) do
		local b = {}
		for v in line:gmatch("[^,]+") do
			table.insert(b, tonumber(v))
		end
		if #b ~= 4 then
			error(file .. ": not minLon,minLat,maxLon,maxLat: " .. line)
		end
		table.insert(boxes, b)
	end
	if #boxes == 0 then
		error(file .. " holds no boxes")
	end
	return boxes
end

function init(argv)
	local a = check_init(argv)
	if not a.boxes then
		error("bbox.lua needs boxes=FILE (loadgen -synth-boxes)")
	end
	local boxes = read_boxes(a.boxes)
	math.randomseed(tonumber(a.seed or "1") * 1000 + id)
	local sep = wrk.path:find("?", 1, true) and "&" or "?"
	-- Prepared once: building a request string per request would cost
	-- the load generator CPU the server needs.
	for i = 1, tonumber(a.requests or "200000") do
		local b = boxes[math.random(#boxes)]
		local dx = (math.random() - 0.5) * (b[3] - b[1])
		local dy = (math.random() - 0.5) * (b[4] - b[2])
		local path = string.format("%s%sbbox=%.5f,%.5f,%.5f,%.5f", wrk.path, sep, b[1] + dx, b[2] + dy, b[3] + dx, b[4] + dy)
		reqs[i] = wrk.format(nil, path)
	end
end

request = prepared_request
