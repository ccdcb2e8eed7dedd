-- fixed.lua: the URL and headers of wrk's command line, every request the
-- same (the 304 and cached-layer cases of `make bench-http`), with the
-- status count and summary line of check.lua.
--
--   wrk -t2 -c32 -d10s --latency -s cmd/loadgen/wrk/fixed.lua -H 'If-None-Match: "…"' URL -- name=304 expect=304
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "check.lua")
