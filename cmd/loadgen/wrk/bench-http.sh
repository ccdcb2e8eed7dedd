#!/usr/bin/env bash
# bench-http.sh is `make bench-http` (the Makefile sets the variables
# below; run it through make). It serves the binary and loads it with wrk,
# one server process per run, each on its own port:
#
#   1. 304s: If-None-Match with the ETag of a whole layer, on each store;
#   2. a cached layer of about 100 KB, gzip, on each store;
#   3. PostGIS misses over BENCH_SITES synthetic sites (a scratch database
#      made by `projectmap data synth --keep`), the server started with
#      BENCH_MISS_FLAGS (the response cache off): (a) a bbox page, limit
#      100, a new box every request (bbox.lua), under a CPU profile, whose
#      top functions are printed; (b) single features by random id
#      (feature.lua);
#   4. MVT (tiles.lua) on the same database, then on the embedded store
#      serving the geodata plus BENCH_SITES synthetic points (a copy made
#      by `loadgen -synth-geodata`, served with --geodata): a random z14
#      and a random z10 tile of the city's core, misses (BENCH_MISS_FLAGS),
#      then one z14 tile cached (the response cache on).
#
# Each case prints wrk's output and check.lua's one-line summary, and the
# summaries are repeated at the end with the exact command of each. A case
# with any answer of another status than the one it expects, or any socket
# error, fails the run (exit 1) once every case has run. The scratch
# database and the data directory are removed on exit. BENCH_COUNT=0
# (from the environment) skips check.lua's per-status count, to see what
# counting costs wrk; only statuses > 399 are then caught.
set -u

: "${BIN:?}" "${GO:?}" "${PG_HOST:?}" "${PG_PORT:?}" "${PG_USER:?}"
: "${BENCH_T:?}" "${BENCH_C:?}" "${BENCH_D:?}" "${BENCH_PORT:?}" "${BENCH_STORES:?}"
: "${BENCH_WHOLE:?}" "${BENCH_LAYER:?}" "${BENCH_SITES:?}" "${BENCH_SEED:?}" "${BENCH_PROFILE:?}"
BENCH_MISS_FLAGS=${BENCH_MISS_FLAGS-}
BENCH_SERVE_FLAGS=${BENCH_SERVE_FLAGS-}
BENCH_COUNT=${BENCH_COUNT:-1}

scripts=$(dirname "$0")
tmp=$(mktemp -d)
pid=
db=
pg_where=()
rc=0
port=$BENCH_PORT
psql_cmd=(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -v ON_ERROR_STOP=1 -Atq)

cleanup() {
	stop_server
	if [ -n "$db" ]; then
		PGOPTIONS=--client-min-messages=warning "${psql_cmd[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# show prints a command so that it can be pasted back into a shell.
show() {
	local out= a
	for a in "$@"; do
		case $a in
		'' | *[!A-Za-z0-9_./:=,@%+-]*) out+=" '${a//\'/\'\\\'\'}'" ;;
		*) out+=" $a" ;;
		esac
	done
	echo "${out# }"
}

# start_server NAME FLAGS… serves on the next port and waits for /readyz;
# it sets base to the server's URL.
start_server() {
	local name=$1
	shift
	port=$((port + 1))
	base=http://127.0.0.1:$port
	log=$tmp/$name.log
	echo "+ $(show "$BIN" serve --addr "127.0.0.1:$port" --drain-delay 0s "$@")"
	"$BIN" serve --addr "127.0.0.1:$port" --drain-delay 0s "$@" >/dev/null 2>"$log" &
	pid=$!
	for _ in $(seq 1 600); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "bench-http: the server exited at start:" >&2
			tail -5 "$log" >&2
			pid=
			return 1
		fi
		curl -fs -o /dev/null "$base/readyz" && return 0
		sleep 0.1
	done
	echo "bench-http: the server at $base is not ready after 60 s" >&2
	return 1
}

# stop_server stops it as SIGTERM does in production (a CPU profile is
# written then), and says what its log holds.
stop_server() {
	[ -n "$pid" ] || return 0
	local peak
	peak=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
	echo "server: peak RSS ${peak:-?}; log $(grep -c '"status":5' "$log") lines 5xx, $(grep -c '"level":"ERROR"' "$log") errors"
}

# cpu_ticks PID… sums the CPU time (user and system, in clock ticks) the
# processes have used; a process that has gone counts nothing.
cpu_ticks() {
	local p total=0 t
	for p in "$@"; do
		# Fields 14 and 15 of stat, counted after the ")" that ends the name.
		t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
		total=$((total + ${t:-0}))
	done
	echo $total
}

# backends lists the PostgreSQL backends serving the scratch database.
backends() {
	[ -n "$db" ] || return 0
	"${psql_cmd[@]}" -d postgres -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db'" 2>/dev/null
}

hz=$(getconf CLK_TCK)

# run_case NAME COMMAND… runs one wrk command and keeps its summary line,
# with the CPU time the server and its PostgreSQL backends used meanwhile
# (where the time goes: Go or the database).
run_case() {
	local name=$1 st
	shift
	local cmd
	cmd=$(show "$@")
	echo "+ $cmd"
	local s0 b0
	s0=$(cpu_ticks "$pid")
	# shellcheck disable=SC2046 # one pid a word
	b0=$(cpu_ticks $(backends))
	"$@" >"$tmp/wrk.out" 2>&1
	st=$?
	local s1 b1
	s1=$(cpu_ticks "$pid")
	# Backends that the pool opened during the run count from zero.
	# shellcheck disable=SC2046
	b1=$(cpu_ticks $(backends))
	cat "$tmp/wrk.out"
	local line cpu
	cpu=$(awk -v s=$((s1 - s0)) -v hz="$hz" 'BEGIN { printf "server CPU %.1f s", s / hz }')
	if [[ $name == *postgis* ]]; then
		cpu+=$(awk -v b=$((b1 - b0)) -v hz="$hz" 'BEGIN { printf ", PostgreSQL backends %.1f s", b / hz }')
	fi
	echo "$cpu during the run"
	line=$(grep "^$name: " "$tmp/wrk.out" | tail -1)
	line="${line:-$name: no summary}; $cpu"
	if [ $st -ne 0 ]; then
		rc=1
		line+=" (FAILED, exit $st)"
	fi
	printf '%s\n    %s\n' "$line" "$cmd" >>"$tmp/summary"
}

fail_case() {
	echo "bench-http: $1: $2" >&2
	printf '%s: FAILED: %s\n' "$1" "$2" >>"$tmp/summary"
	rc=1
}

wrk_cmd=(wrk "-t$BENCH_T" "-c$BENCH_C" "-d$BENCH_D" --latency)
gzip=(-H 'Accept-Encoding: gzip')

# warm URL asks once, before a run: a cold server's first request loads
# what every later one shares (plans, districts, a pool connection), and
# 32 such at once would measure the start, not the service.
warm() {
	local got
	got=$(curl -s -o /dev/null -w '%{http_code}' "$1")
	[ "$got" = 200 ] || { echo "bench-http: warm-up $1 answered $got" >&2; return 1; }
}

etag_of() {
	curl -s -D - -o /dev/null "${gzip[@]}" "$1" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p'
}

# cached_cases STORE: cases 1 and 2 on the server just started.
cached_cases() {
	local store=$1 url=$base$BENCH_WHOLE first etag got
	# The ETag of a cached answer, the one a client revalidates with; the
	# first answer (the miss that fills the cache) must carry the same.
	first=$(etag_of "$url")
	etag=$(etag_of "$url")
	if [ "$first" != "$etag" ]; then
		echo "304-$store: note: the first answer's ETag $first differs from the cached answer's $etag" | tee -a "$tmp/summary"
	fi
	got=$(curl -s -o /dev/null -w '%{http_code}' "${gzip[@]}" -H "If-None-Match: $etag" "$url")
	if [ -z "$etag" ] || [ "$got" != 304 ]; then
		fail_case "304-$store" "$url: ETag '$etag', If-None-Match answered $got, not 304"
	else
		echo "== 1. 304, $store store: $BENCH_WHOLE with If-None-Match: $etag"
		run_case "304-$store" "${wrk_cmd[@]}" -s "$scripts/fixed.lua" "${gzip[@]}" -H "If-None-Match: $etag" "$url" \
			-- "name=304-$store" expect=304 "count=$BENCH_COUNT"
	fi
	url=$base$BENCH_LAYER
	local plain packed
	plain=$(curl -s -o /dev/null -w '%{size_download}' "$url")
	packed=$(curl -s -o /dev/null -w '%{size_download}' "${gzip[@]}" "$url")
	echo "== 2. cached layer with gzip, $store store: $BENCH_LAYER ($plain bytes, $packed gzipped)"
	echo "layer-gzip-$store: $BENCH_LAYER is $plain bytes, $packed gzipped" >>"$tmp/summary"
	run_case "layer-gzip-$store" "${wrk_cmd[@]}" -s "$scripts/fixed.lua" "${gzip[@]}" "$url" \
		-- "name=layer-gzip-$store" expect=200 "count=$BENCH_COUNT"
}

# centre_tile Z is the y/x of the tile of zoom Z holding the city's
# centre (108.94, 34.26).
centre_tile() {
	awk -v z="$1" 'BEGIN { pi = atan2(0, -1); n = 2 ^ z; r = 34.26 * pi / 180
		x = int((108.94 + 180) / 360 * n); y = int((1 - log(sin(r) / cos(r) + 1 / cos(r)) / pi) / 2 * n)
		printf "%d/%d", y, x }'
}

# mvt_cases STORE FLAGS… runs cases 4a-4c (MVT of the 100,000-point
# synthetic layer: z14 and z10 misses with BENCH_MISS_FLAGS, then a cached
# tile) on servers started with FLAGS. The warm-up tile is the city
# centre's: it also builds the layer's point index, which every later
# tile shares.
mvt_cases() {
	local store=$1 z step
	shift
	local flags=("$@")
	mvt=/ogc/collections/synthetic/tiles/WebMercatorQuad
	for z in 14 10; do
		[ "$z" = 14 ] && step=4a || step=4b
		echo "== $step. $store MVT misses: a random z$z tile of the city's core each request, $BENCH_SITES synthetic sites"
		# shellcheck disable=SC2086
		if start_server "mvt$z" "${flags[@]}" $BENCH_MISS_FLAGS $BENCH_SERVE_FLAGS && warm "$base$mvt/$z/$(centre_tile "$z")"; then
			echo "mvt-z$z-miss-$store: the centre tile is $(curl -s -o /dev/null -w '%{size_download}' "$base$mvt/$z/$(centre_tile "$z")") bytes" >>"$tmp/summary"
			run_case "mvt-z$z-miss-$store" "${wrk_cmd[@]}" -s "$scripts/tiles.lua" "$base$mvt" \
				-- "name=mvt-z$z-miss-$store" "z=$z" also=204 "seed=$BENCH_SEED" "count=$BENCH_COUNT"
		else
			fail_case "mvt-z$z-miss-$store" "the server did not start or answer"
		fi
		stop_server
	done
	echo "== 4c. $store MVT, cached: the centre's z14 tile again and again (the response cache on)"
	# shellcheck disable=SC2086
	if start_server mvt-cached "${flags[@]}" $BENCH_SERVE_FLAGS && warm "$base$mvt/14/$(centre_tile 14)"; then
		run_case "mvt-cached-$store" "${wrk_cmd[@]}" -s "$scripts/tiles.lua" "$base$mvt" \
			-- "name=mvt-cached-$store" z=14 fixed=1 bbox=108.93,34.25,108.95,34.27 "count=$BENCH_COUNT"
	else
		fail_case "mvt-cached-$store" "the server did not start or answer"
	fi
	stop_server
}

# make_synth_db loads BENCH_SITES synthetic sites (and the geodata) into
# a scratch database of data synth's, kept for the server; it sets db.
make_synth_db() {
	local out=$tmp/synth.out st
	echo "+ $(show "$BIN" data synth --features "$BENCH_SITES" --seed "$BENCH_SEED" --rounds 1 --keep --database-url "postgres://$PG_USER@$PG_HOST:$PG_PORT/postgres?sslmode=disable")"
	"$BIN" data synth --features "$BENCH_SITES" --seed "$BENCH_SEED" --rounds 1 --keep \
		--database-url "postgres://$PG_USER@$PG_HOST:$PG_PORT/postgres?sslmode=disable" >"$out" 2>&1
	st=$?
	cat "$out"
	db=$(sed -n 's/^kept scratch database //p' "$out")
	[ $st -eq 0 ] && [ -n "$db" ]
}

# The boxes of bbox.lua, kept beside the profile so that the printed
# command can be run again.
mkdir -p "$(dirname "$BENCH_PROFILE")"
boxes=$(dirname "$BENCH_PROFILE")/bench-synth-boxes.txt
"$GO" run ./cmd/loadgen -synth-boxes >"$boxes" || exit 1
: >"$tmp/summary"

for store in $BENCH_STORES; do
	case $store in
	embedded) where=(--data-dir "$tmp/data") ;;
	postgis)
		if [ -z "$db" ]; then
			echo "== PostGIS: a scratch database with the geodata and $BENCH_SITES synthetic sites"
			if ! make_synth_db; then
				fail_case postgis "data synth did not make a database"
				continue
			fi
			pg_where=(--database-url "postgres://$PG_USER@$PG_HOST:$PG_PORT/$db?sslmode=disable")
		fi
		where=("${pg_where[@]}")
		;;
	*)
		fail_case "$store" "BENCH_STORES holds embedded and postgis only"
		continue
		;;
	esac
	# shellcheck disable=SC2086 # the flags are words
	if start_server "$store" "${where[@]}" $BENCH_SERVE_FLAGS; then
		cached_cases "$store"
	else
		fail_case "$store" "the server did not start"
	fi
	stop_server
done

if [ ${#pg_where[@]} -gt 0 ]; then
	if [ -z "$BENCH_MISS_FLAGS" ]; then
		echo "bench-http: BENCH_MISS_FLAGS is empty: the response cache stays on, and repeated ids in 3b can hit it"
	fi
	# shellcheck disable=SC2086
	miss=("${pg_where[@]}" $BENCH_MISS_FLAGS $BENCH_SERVE_FLAGS)
	echo "== 3a. PostGIS misses: bbox pages, limit 100, a new district-sized box each request, $BENCH_SITES synthetic sites; CPU profile $BENCH_PROFILE"
	if start_server bbox "${miss[@]}" --cpuprofile "$BENCH_PROFILE" &&
		warm "$base/ogc/collections/synthetic/items?limit=100&bbox=$(head -1 "$boxes")"; then
		run_case bbox-miss-postgis "${wrk_cmd[@]}" -s "$scripts/bbox.lua" "$base/ogc/collections/synthetic/items?limit=100" \
			-- name=bbox-miss-postgis "boxes=$boxes" "seed=$BENCH_SEED" "count=$BENCH_COUNT"
		stop_server
		top=${BENCH_PROFILE%.pprof}.txt
		if "$GO" tool pprof -top -cum "$BIN" "$BENCH_PROFILE" >"$top" 2>&1; then
			"$GO" tool pprof -top "$BIN" "$BENCH_PROFILE" >>"$top" 2>/dev/null
			echo "CPU profile of the bbox misses: $BENCH_PROFILE; top 15 by cumulative time (all, then by own time, in $top):"
			"$GO" tool pprof -top -cum -nodecount=15 "$BIN" "$BENCH_PROFILE" 2>/dev/null
			# By cumulative time the handler chain fills the top; by own
			# time it is the work itself.
			echo "top 15 by own time:"
			"$GO" tool pprof -top -nodecount=15 "$BIN" "$BENCH_PROFILE" 2>/dev/null | sed -n '/flat%/,$p'
		else
			fail_case bbox-miss-postgis "no CPU profile: $(head -1 "$top")"
		fi
	else
		fail_case bbox-miss-postgis "the server did not start or answer"
		stop_server
	fi
	echo "== 3b. PostGIS misses: single features by random id among $BENCH_SITES synthetic sites"
	if start_server feature "${miss[@]}" && warm "$base/ogc/collections/synthetic/items/synth-0000000"; then
		run_case feature-miss-postgis "${wrk_cmd[@]}" -s "$scripts/feature.lua" "$base/ogc/collections/synthetic/items/" \
			-- name=feature-miss-postgis "n=$BENCH_SITES" "seed=$BENCH_SEED" "count=$BENCH_COUNT"
		stop_server
	else
		fail_case feature-miss-postgis "the server did not start or answer"
		stop_server
	fi
	mvt_cases postgis "${pg_where[@]}"
fi

case " $BENCH_STORES " in
*" embedded "*)
	echo "== The embedded store: the geodata and $BENCH_SITES synthetic points (loadgen -synth-geodata)"
	if "$GO" run ./cmd/loadgen -synth-geodata "$tmp/synth-geodata" -synth-sites "$BENCH_SITES" -synth-seed "$BENCH_SEED"; then
		mvt_cases embedded --geodata "$tmp/synth-geodata" --data-dir "$tmp/synth-data"
	else
		fail_case mvt-embedded "loadgen -synth-geodata failed"
	fi
	;;
esac

echo "== bench-http summary (req/s, p50, p99, answers by status, CPU used during the run; then the command)"
cat "$tmp/summary"
exit $rc
