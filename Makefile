# projectmap — see README.md. `make run` serves on :8080; `make test` runs everything.
GO      ?= go
ADDR    ?= :8080
BIN     := bin/projectmap
WEB_SRC := $(wildcard web/src/*) web/package.json web/build.mjs

.PHONY: run build test bench check-data web deps districts clean

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
test: web deps db
	$(GO) vet ./...
	$(GO) run ./cmd/projectmap data check
	$(GO) test -count=1 ./...

# Go benchmarks (the in-process ones 8 times, summarised by benchstat as
# medians), the PostGIS benchmarks (which report their own medians), the
# synthetic scale run at 10k, 100k and 1M sites, then a 10 s loopback load
# test of the biggest layer against the built binary, printing requests/s,
# p50/p99 and the server's RSS.
LOAD_ADDR ?= 127.0.0.1:18080
bench: build db
	$(GO) test -run '^$$' -bench . -benchmem -count 8 ./internal/api/ > bin/bench-api.txt
	$(GO) tool benchstat bin/bench-api.txt
	$(GO) test -run '^$$' -bench . -benchmem ./internal/postgis/
	$(GO) run ./cmd/projectmap data synth --scale --database-url '$(TEST_DATABASE_URL)'
	@./$(BIN) serve --addr $(LOAD_ADDR) 2>/dev/null & pid=$$!; \
	trap "kill $$pid 2>/dev/null" EXIT; \
	$(GO) run ./cmd/loadgen -url http://$(LOAD_ADDR)/ogc/collections/old-communities/items -c 16 -d 10s -pid $$pid

APT_NEEDED = $(shell command -v ogrinfo >/dev/null || echo gdal-bin; command -v chromium >/dev/null || echo chromium)
deps:
	@if [ -n "$(strip $(APT_NEEDED))" ]; then \
	  echo "deps: installing $(APT_NEEDED)"; \
	  $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_NEEDED); \
	fi

# web/dist is built from web/src with esbuild and embedded in the binary.
web: web/dist/app.js

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web/dist/app.js: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build

# Rebuild geodata/districts.geojson from the npm package (see geodata/NOTICE.md).
districts:
	bash geodata/tools/districts/rebuild.sh

clean:
	rm -rf bin web/dist/app.js web/dist/app.css
