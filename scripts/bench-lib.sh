# Shared by the benchmark scripts (rpc-latency.sh, throughput.sh,
# storage-weights.sh); sourced after env.sh, not run.

# bench_prereqs: build the node if $MEDCHAIN_NODE is missing, and install the
# tests' npm packages if they are.
bench_prereqs() {
	[ -x "$MEDCHAIN_NODE" ] || scripts/build.sh
	[ -d tests/node_modules ] || (cd tests && npm ci --no-audit --no-fund)
}

# bench_spec PATIENTS RECORDS OPENS: build (once per node binary, whose
# runtime the spec's genesis holds; cached in ~/.cache/medchain-bench) the raw
# chain spec of the dev chain where PATIENTS synthetic patients each created
# RECORDS records and opened each OPENS times (`medchain-node bench-state`),
# and set `spec` to its path.
bench_spec() {
	local cache="$HOME/.cache/medchain-bench" build
	build="$(sha256sum "$MEDCHAIN_NODE" | cut -c1-12)"
	spec="$cache/state-$1x$2x$3-$build.json"
	mkdir -p "$cache"
	if [ ! -s "$spec" ]; then
		echo "building the state: $spec" >&2
		"$MEDCHAIN_NODE" bench-state --patients "$1" --records-per-patient "$2" \
			--opens-per-record "$3" --output "$spec.partial"
		mv "$spec.partial" "$spec"
	fi
}

# bench_records_spec RECORDS: `bench_spec` for a chain holding RECORDS records
# with one reader each and no opens, at most 1,000 per patient.
bench_records_spec() {
	local per_patient=$(($1 < 1000 ? $1 : 1000))
	bench_spec $((($1 + per_patient - 1) / per_patient)) "$per_patient" 0
}

# start_node ARGS...: start $MEDCHAIN_NODE with ARGS on a fresh base path and
# a random RPC port, stop it and remove the base path on exit, and wait until
# it answers. Sets `port`, `base`, `log` and `node_pid`. The log outlives the
# run (its "Prepared block" lines say how long each block took to build).
start_node() {
	port=$((20000 + RANDOM % 20000))
	base="$(mktemp -d)"
	log="$(mktemp --suffix=-medchain-node.log)"
	"$MEDCHAIN_NODE" --base-path "$base" --rpc-port "$port" \
		--no-prometheus --no-telemetry --no-mdns --port 0 "$@" >"$log" 2>&1 &
	node_pid=$!
	trap 'kill $node_pid 2>/dev/null; wait $node_pid 2>/dev/null; rm -rf "$base"' EXIT
	echo "node $MEDCHAIN_NODE on port $port (log: $log)" >&2
	local started
	started=$(date +%s)
	until curl -sf -H 'content-type: application/json' \
		-d '{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}' \
		"http://127.0.0.1:$port" >/dev/null; do
		kill -0 $node_pid 2>/dev/null || { tail -20 "$log" >&2; exit 1; }
		sleep 1
	done
	echo "node ready after $(($(date +%s) - started)) s; database: $(du -sh "$base" | cut -f1)" >&2
}
