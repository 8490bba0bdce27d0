#!/usr/bin/env bash
# A show on several processes: an owner (NATS with JetStream inside it)
# and EDGES edges, each a process of its own, against one `livecart serve`
# at the same total load, on loopback.
#
#   bench/cluster.sh EDGES VIEWERS_PER_EDGE RATE DURATION [RUNS=3] [PEERS]
#   e.g. bench/cluster.sh 3 1000 10 20s 3
#        bench/cluster.sh 3 1000 10 20s 3 centrifugo
#        SCENARIO=failover bench/cluster.sh 3 1000 10 20s 1
#
# chat (default): each round runs the cluster (viewers spread over the
# edges, viewer i on edge i mod EDGES; publishers on the owner; CPU summed
# over owner and edges and reported for each), then one `livecart serve`
# with all the viewers (label livecart-single), then each peer: centrifugo
# is EDGES Centrifugo nodes on a NATS broker (a NATS server of its own,
# whose CPU is in the sum; label centrifugo-nats). The summary pairs the
# cluster (as "ours") with each by round: p99, summed server CPU and
# CPU-µs per delivered event, medians of the per-pair ratios, skipping
# saturated runs.
#
# failover: the cluster only; viewers are client sessions holding every
# edge's URL (starting on edge i mod EDGES); edge 0 is killed (SIGKILL)
# half-way through DURATION; every viewer must end with exactly the events
# of a reference viewer on the owner (loadgen's failover fields).
#
# Before the runs it records a calibration figure: the in-process decode
# benchmark (show BenchmarkDecodeOnly, events per second on one core).
#
# Environment:
#   SCENARIO          chat | failover
#   LIVECART_BIN      prebuilt livecart (default: built from this tree)
#   NODE_BIN          prebuilt bench/clusternode (default: built)
#   NODES             clusternode (default) or livecart: run the owner and
#                     edges as `livecart serve --role owner|edge`
#   CENTRIFUGO_BIN    prebuilt centrifugo v6.9.1
#   DIAL_PARALLEL     loadgen -dial-parallel (default 64)
#   BASE_PORT         first port (default 18800)
#   OUT               where the JSON lines go
set -euo pipefail

if [[ $# -lt 4 ]]; then
	echo "usage: [SCENARIO=chat|failover] $0 EDGES VIEWERS_PER_EDGE RATE DURATION [RUNS=3] [PEERS]" >&2
	exit 2
fi
EDGES=$1
PER_EDGE=$2
RATE=$3
DURATION=$4
RUNS=${5:-3}
PEERS=${6:-}
SCENARIO=${SCENARIO:-chat}
NODES=${NODES:-clusternode}
BASE_PORT=${BASE_PORT:-18800}
DIAL_PARALLEL=${DIAL_PARALLEL:-64}
case $SCENARIO in chat | failover) ;; *)
	echo "SCENARIO must be chat or failover" >&2
	exit 2
	;;
esac
case $NODES in clusternode | livecart) ;; *)
	echo "NODES must be clusternode or livecart" >&2
	exit 2
	;;
esac
if ! [[ $EDGES =~ ^[0-9]+$ ]] || ((EDGES < 1 || EDGES > 8)); then
	echo "EDGES must be 1..8" >&2
	exit 2
fi
VIEWERS=$((EDGES * PER_EDGE))
if ! [[ $PER_EDGE =~ ^[0-9]+$ ]] || ((PER_EDGE < 1 || VIEWERS > 20000)); then
	echo "VIEWERS_PER_EDGE must be at least 1, and EDGES × it at most 20000" >&2
	exit 2
fi
if ! [[ $RATE =~ ^[0-9]+$ ]] || ((RATE < 1 || RATE > 3000)); then
	echo "RATE must be 1..3000 messages a second" >&2
	exit 2
fi
DUR_S=${DURATION%s}
if ! [[ $DUR_S =~ ^[0-9]+$ ]] || ((DUR_S < 2 || DUR_S > 600)); then
	echo "DURATION must be whole seconds, 2s..600s" >&2
	exit 2
fi
if ! [[ $RUNS =~ ^[0-9]+$ ]] || ((RUNS < 1 || RUNS > 20)); then
	echo "RUNS must be 1..20" >&2
	exit 2
fi
case ,$PEERS, in ,, | ,centrifugo,) ;; *)
	echo "PEERS may only be centrifugo" >&2
	exit 2
	;;
esac

REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/common.sh
source "$REPO/bench/common.sh"
WORK=$(mktemp -d /tmp/livecart-cluster.XXXXXX)
OUT=${OUT:-$WORK/results.jsonl}
PIDS=()

stop_all() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	PIDS=()
}
trap stop_all EXIT

PUBS=$(((RATE * 2 + 2) / 3))
if ((PUBS < 2)); then PUBS=2; fi
LIMIT=$((DUR_S + 210)) # connect budget, catch-up, margin
raise_fd_limit $((VIEWERS + PUBS + 512))
build_tools "$REPO" "$WORK"
if [[ -n ${NODE_BIN:-} ]]; then
	cp "$NODE_BIN" "$WORK/clusternode"
else
	(cd "$REPO" && go build -o "$WORK/clusternode" ./bench/clusternode)
fi
peers_build "$REPO" "$WORK" "$PEERS"
(cd "$REPO" && go test -c -o "$WORK/show.test" ./show)

# wait_node pid file word port: loop with a bound until the node has
# printed its "owner ws://…" or "edge ws://…" line, then until its port
# accepts. The port alone is not enough for livecart serve, which listens
# before it serves: an edge's port accepts while the edge still waits for
# the show's stream and owner, and its line comes once it serves.
wait_node() {
	local pid=$1 file=$2 word=$3 port=$4
	for _ in $(seq 1 150); do
		if grep -q "^$word " "$file" 2>/dev/null; then
			wait_ready "$port"
			return
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$word on port $port exited: $(tail -n 1 "$file" 2>/dev/null)" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "$word on port $port not serving after 15s" >&2
	return 1
}

# calibrate: one core's decode rate, so absolute numbers can be scaled
# between machines and days.
calibrate() {
	echo "== calibration: show BenchmarkDecodeOnly, 3 counts" >&2
	"$WORK/show.test" -test.run '^$' -test.bench '^BenchmarkDecodeOnly$' -test.count 3 -test.benchmem |
		tee -a "$WORK/calibration.txt" | grep '^Benchmark' >&2
}

failed_line() { # target note
	echo "{\"scenario\":\"$SCENARIO\",\"target\":\"$1\",\"saturated\":true,\"notes\":\"$2\"}" >>"$OUT"
}

# run_loadgen target label pub-url urls pids [extra…]
run_loadgen() {
	local target=$1 label=$2 pub=$3 urls=$4 pids=$5
	shift 5
	if ! timeout "$LIMIT" "$WORK/loadgen" -scenario "$SCENARIO" -target "$target" -label "$label" \
		-url "$urls" -pub-url "$pub" -viewers "$VIEWERS" -rate "$RATE" -duration "$DURATION" \
		-publishers "$PUBS" -dial-parallel "$DIAL_PARALLEL" -server-pid "$pids" "$@" >>"$OUT"; then
		echo "run $label failed" >&2
		failed_line "$label" "run failed"
	fi
	tail -n 1 "$OUT" >&2
}

run_cluster() { # base port
	local base=$1 token="bench-host-token-$RANDOM$RANDOM"
	local natsport=$((base + 50)) owner=$base
	if [[ $NODES == livecart ]]; then
		"$WORK/livecart" serve --role owner --nats-listen "127.0.0.1:$natsport" --addr "127.0.0.1:$owner" \
			--audience 0 --host-bot=false --token "$token" --max-conns-per-ip -1 --chat-cap -1 \
			--orders "$WORK/orders-$base.jsonl" --log "$WORK/owner-$base.log" >"$WORK/owner-$base.out" 2>&1 &
	else
		"$WORK/clusternode" -role owner -nats-listen "127.0.0.1:$natsport" -addr "127.0.0.1:$owner" \
			-token "$token" -chat-cap -1 -store "$WORK/js-$base" >"$WORK/owner-$base.out" 2>&1 &
	fi
	local opid=$!
	PIDS+=("$opid")
	if ! wait_node "$opid" "$WORK/owner-$base.out" owner "$owner"; then
		failed_line livecart "owner not ready"
		stop_all
		return
	fi
	local pids="owner=$opid" urls="" e port edgepids=()
	local show=demo
	for ((e = 0; e < EDGES; e++)); do
		port=$((base + 1 + e))
		if [[ $NODES == livecart ]]; then
			"$WORK/livecart" serve --role edge --nats "nats://127.0.0.1:$natsport" --show "$show" \
				--addr "127.0.0.1:$port" --max-conns-per-ip -1 --log "$WORK/edge$e-$base.log" >"$WORK/edge$e-$base.out" 2>&1 &
		else
			"$WORK/clusternode" -role edge -nats "nats://127.0.0.1:$natsport" -show "$show" \
				-addr "127.0.0.1:$port" >"$WORK/edge$e-$base.out" 2>&1 &
		fi
		PIDS+=("$!")
		edgepids+=("$!")
		pids+=",edge$e=$!"
		urls+="${urls:+,}ws://127.0.0.1:$port/ws"
	done
	for ((e = 0; e < EDGES; e++)); do
		if ! wait_node "${edgepids[e]}" "$WORK/edge$e-$base.out" edge $((base + 1 + e)); then
			failed_line livecart "edge $e not ready"
			stop_all
			return
		fi
	done
	sleep 1 # heartbeats: the owner knows every edge
	local extra=()
	if [[ $SCENARIO == failover ]]; then
		local victim=${pids#*,edge0=}
		victim=${victim%%,*}
		extra=(-kill-pid "$victim")
	fi
	run_loadgen livecart livecart "ws://127.0.0.1:$owner/ws" "$urls" "$pids" "${extra[@]}"
	stop_all
	sleep 1
}

run_single() { # port
	local port=$1 token="bench-host-token-$RANDOM$RANDOM"
	"$WORK/livecart" serve --addr "127.0.0.1:$port" --audience 0 --host-bot=false --token "$token" \
		--max-conns-per-ip -1 --chat-cap -1 \
		--orders "$WORK/orders-$port.jsonl" --log "$WORK/single-$port.log" >"$WORK/single-$port.out" 2>&1 &
	local pid=$!
	PIDS+=("$pid")
	if wait_ready "$port"; then
		sleep 0.3
		run_loadgen livecart livecart-single "ws://127.0.0.1:$port/ws" "ws://127.0.0.1:$port/ws" "single=$pid"
	else
		failed_line livecart-single "server not ready"
	fi
	stop_all
	sleep 1
}

run_centrifugo() { # base port
	local base=$1 natsport=$(($1 + 50))
	"$WORK/clusternode" -role nats -nats-listen "127.0.0.1:$natsport" -store "$WORK/cjs-$base" >"$WORK/nats-$base.out" 2>&1 &
	PIDS+=("$!")
	local pids="nats=$!" urls="" e port
	if ! wait_ready "$natsport"; then
		failed_line centrifugo-nats "nats not ready"
		stop_all
		return
	fi
	for ((e = 0; e < EDGES; e++)); do
		port=$((base + e))
		printf '{"client":{"insecure":true},"http_server":{"address":"127.0.0.1","port":%d},"log":{"level":"error"},"broker":{"enabled":true,"type":"nats","nats":{"url":"nats://127.0.0.1:%d"}}}\n' \
			"$port" "$natsport" >"$WORK/centrifugo-$port.json"
		"$WORK/bin/centrifugo" -c "$WORK/centrifugo-$port.json" >"$WORK/centrifugo-$port.log" 2>&1 &
		PIDS+=("$!")
		pids+=",node$e=$!"
		urls+="${urls:+,}ws://127.0.0.1:$port/connection/websocket"
	done
	for ((e = 0; e < EDGES; e++)); do
		if ! wait_ready $((base + e)); then
			failed_line centrifugo-nats "node $e not ready"
			stop_all
			return
		fi
	done
	sleep 1
	run_loadgen centrifugo centrifugo-nats "ws://127.0.0.1:$base/connection/websocket" "$urls" "$pids"
	stop_all
	sleep 1
}

: >"$OUT"
calibrate
port=$BASE_PORT
for i in $(seq 1 "$RUNS"); do
	echo "== $SCENARIO round $i/$RUNS: $EDGES edges × $PER_EDGE viewers, $RATE msg/s, $DURATION" >&2
	run_cluster "$port"
	port=$((port + 100))
	if [[ $SCENARIO == chat ]]; then
		run_single "$port"
		port=$((port + 100))
		if [[ ,$PEERS, == *,centrifugo,* ]]; then
			run_centrifugo "$port"
			port=$((port + 100))
		fi
	fi
done
calibrate

echo "results: $OUT" >&2
echo "calibration: $WORK/calibration.txt" >&2
# Per process: the median CPU of each server process over the rounds.
jq -rs 'map(select(.servers != null)) | group_by(.target)[] |
	"\(.[0].target): " + ([.[].servers[]] | group_by(.name) | map("\(.[0].name) \(map(.cpu_pct) | sort | .[(length - 1) / 2 | floor])%") | join(", "))' "$OUT" || true
"$WORK/loadgen" -summarize "$OUT"
