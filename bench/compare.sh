#!/usr/bin/env bash
# Compare livecart with a peer WebSocket fan-out server on loopback.
#
#   bench/compare.sh VIEWERS RATE DURATION [RUNS] [PEER]
#   e.g. bench/compare.sh 500 50 10s 3 gorilla
#
# Builds livecart and bench/loadgen, installs the gorilla chat example into a
# temporary GOBIN, then runs ours and the peer interleaved (ours, peer, ours,
# peer, …), each on its own port, and prints the median ours/peer ratios of
# p99 latency and server CPU over the pairs where neither run saturated.
# Results (one JSON line per run) go to $OUT (default: a temp file, printed).
set -euo pipefail

if [[ $# -lt 3 ]]; then
	echo "usage: $0 VIEWERS RATE DURATION [RUNS=3] [PEER=gorilla]" >&2
	exit 2
fi
VIEWERS=$1
RATE=$2
DURATION=$3
RUNS=${4:-3}
PEER=${5:-gorilla}
BASE_PORT=${BASE_PORT:-18700}

case $PEER in
gorilla | centrifugo) ;;
*)
	echo "peer must be gorilla or centrifugo, not $PEER" >&2
	exit 2
	;;
esac
if (( RUNS < 1 || RUNS > 20 )); then
	echo "RUNS must be 1..20" >&2
	exit 2
fi

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/livecart-bench.XXXXXX)
OUT=${OUT:-$WORK/results.jsonl}
SERVER_PID=""

cleanup() {
	if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
}
trap cleanup EXIT

echo "building into $WORK" >&2
(cd "$REPO" && go build -o "$WORK/livecart" . && go build -o "$WORK/loadgen" ./bench/loadgen)
GOBIN="$WORK/bin" go install github.com/gorilla/websocket/examples/chat@v1.5.3
if [[ $PEER == centrifugo ]]; then
	# Building Centrifugo takes minutes; CENTRIFUGO_BIN reuses a binary.
	if [[ -n ${CENTRIFUGO_BIN:-} ]]; then
		cp "$CENTRIFUGO_BIN" "$WORK/bin/centrifugo"
	else
		GOBIN="$WORK/bin" go install github.com/centrifugal/centrifugo/v6@v6.9.1
	fi
fi

# Publishers: enough for livecart's per-connection chat limit (2/s, burst
# 5), the same number for both servers so the load is the same.
PUBS=$(( (RATE * 2 + 2) / 3 ))
if (( PUBS < 2 )); then PUBS=2; fi

# Seconds for `timeout`: the duration plus connect time and drain.
DUR_S=${DURATION%s}
if ! [[ $DUR_S =~ ^[0-9]+$ ]] || (( DUR_S < 1 || DUR_S > 600 )); then
	echo "DURATION must be whole seconds, 1s..600s" >&2
	exit 2
fi
LIMIT=$(( DUR_S + 150 ))

wait_ready() { # port: loop with a bound until the port accepts TCP
	local port=$1
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "server on port $port not ready after 10s" >&2
	return 1
}

run_one() { # target port
	local target=$1 port=$2
	case $target in
	livecart)
		"$WORK/livecart" serve --addr "127.0.0.1:$port" --audience 0 --token "bench-$RANDOM$RANDOM" \
			--orders "$WORK/orders-$port.jsonl" --log "$WORK/server-$port.log" >"$WORK/server-$port.out" 2>&1 &
		;;
	gorilla)
		"$WORK/bin/chat" -addr "127.0.0.1:$port" >"$WORK/server-$port.log" 2>&1 &
		;;
	centrifugo)
		# Anonymous clients may subscribe and publish (client.insecure).
		printf '{"client":{"insecure":true},"http_server":{"address":"127.0.0.1","port":%d},"log":{"level":"error"}}\n' \
			"$port" >"$WORK/centrifugo-$port.json"
		"$WORK/bin/centrifugo" -c "$WORK/centrifugo-$port.json" >"$WORK/server-$port.log" 2>&1 &
		;;
	esac
	local path=/ws
	if [[ $target == centrifugo ]]; then path=/connection/websocket; fi
	SERVER_PID=$!
	wait_ready "$port"
	sleep 0.3 # let the server settle before the RSS baseline
	if ! timeout "$LIMIT" "$WORK/loadgen" -target "$target" -url "ws://127.0.0.1:$port$path" \
		-viewers "$VIEWERS" -rate "$RATE" -duration "$DURATION" -publishers "$PUBS" \
		-server-pid "$SERVER_PID" >>"$OUT"; then
		echo "run $target on port $port failed" >&2
		# Keep the pairing by index: a failed run counts as saturated.
		echo "{\"target\":\"$target\",\"saturated\":true,\"notes\":\"run failed\"}" >>"$OUT"
	fi
	tail -n 1 "$OUT" >&2
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=""
	sleep 1 # let sockets in TIME_WAIT and the CPU quiet down
}

: >"$OUT"
port=$BASE_PORT
for i in $(seq 1 "$RUNS"); do
	echo "== round $i/$RUNS: livecart, $PEER ($VIEWERS viewers, $RATE msg/s, $DURATION)" >&2
	run_one livecart "$port"
	port=$((port + 1))
	run_one "$PEER" "$port"
	port=$((port + 1))
done

echo "results: $OUT"
"$WORK/loadgen" -summarize "$OUT"
