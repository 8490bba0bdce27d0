#!/usr/bin/env bash
# Compare livecart with a peer WebSocket fan-out server on loopback.
#
#   bench/compare.sh VIEWERS RATE DURATION [RUNS] [PEERS]
#   e.g. bench/compare.sh 500 50 10s 3 gorilla
#        bench/compare.sh 5000 10 20s 3 gorilla,gorilla-batch
#        SCENARIO=idle bench/compare.sh 10000 0 0s 3 gorilla
#        SCENARIO=storm bench/compare.sh 10000 2000 60s 3
#
# SCENARIO (default chat) is loadgen's -scenario. chat, idle and connect run
# ours and the peers interleaved (ours, peer, ours, peer, …; PEERS is a
# comma-separated list) and print the median of the per-pair ratios
# ours/peer over the pairs where neither run saturated. gorilla-batch is the
# gorilla example with livecart's batching rule added (chat-batch.patch):
# the equal-coalescing control. With LIVECART_BEFORE_BIN each round also
# runs that build, labelled livecart-before (or BEFORE_LABEL), and it is
# compared like a peer.
# pin and storm are livecart-only: ours runs RUNS times and the medians are
# printed. idle and connect ignore RATE and DURATION.
#
# Each run gets its own port, a bounded readiness probe, a `timeout` on
# loadgen and a kill by PID. Results (one JSON line per run) go to $OUT
# (default: a temp file, printed).
#
# Environment:
#   SCENARIO          chat | pin | storm | idle | connect
#   LIVECART_BIN      prebuilt livecart (default: built from this tree)
#   GORILLA_CHAT_BIN  prebuilt gorilla/websocket examples/chat@v1.5.3
#   GORILLA_BATCH_BIN prebuilt control (default: the example from the
#                     module cache, patched with chat-batch.patch)
#   LIVECART_BEFORE_BIN  another livecart build, run as livecart-before
#                     (or as BEFORE_LABEL)
#   CENTRIFUGO_BIN    prebuilt centrifugo v6.9.1 (its build takes minutes)
#   CHAT_CAP          livecart serve --chat-cap; default -1 (none, as the
#                     peers have none) for chat, the server's own for the
#                     others; set it empty to use the server's default
#   DIAL_PARALLEL     loadgen -dial-parallel (default 64; 256 for connect)
#   SETTLE            loadgen -settle for idle (default 3s)
#   BASE_PORT         first port (default 18700)
set -euo pipefail

if [[ $# -lt 3 ]]; then
	echo "usage: [SCENARIO=chat|pin|storm|idle|connect] $0 VIEWERS RATE DURATION [RUNS=3] [PEERS=gorilla]" >&2
	exit 2
fi
VIEWERS=$1
RATE=$2
DURATION=$3
RUNS=${4:-3}
PEERS=${5:-gorilla}
BEFORE_LABEL=${BEFORE_LABEL:-livecart-before}
if ! [[ $BEFORE_LABEL =~ ^livecart-[a-z0-9-]+$ ]]; then
	echo "BEFORE_LABEL must be livecart-something, not $BEFORE_LABEL" >&2
	exit 2
fi
SCENARIO=${SCENARIO:-chat}
BASE_PORT=${BASE_PORT:-18700}
SETTLE=${SETTLE:-3s}
if ! [[ $SETTLE =~ ^[0-9]+s$ ]] || (( ${SETTLE%s} > 60 )); then
	echo "SETTLE must be whole seconds, 0s..60s" >&2
	exit 2
fi

IFS=, read -r -a PEER_LIST <<<"$PEERS"
for peer in "${PEER_LIST[@]}"; do
	case $peer in
	gorilla | gorilla-batch | centrifugo) ;;
	*)
		echo "a peer must be gorilla, gorilla-batch or centrifugo, not $peer" >&2
		exit 2
		;;
	esac
done
case $SCENARIO in
chat | idle | connect) PEERED=1 ;;
pin | storm) PEERED=0 ;;
*)
	echo "SCENARIO must be chat, pin, storm, idle or connect, not $SCENARIO" >&2
	exit 2
	;;
esac
if [[ $SCENARIO == chat ]]; then
	CHAT_CAP=${CHAT_CAP--1}
else
	CHAT_CAP=${CHAT_CAP-}
fi
if [[ $SCENARIO == connect ]]; then
	DIAL_PARALLEL=${DIAL_PARALLEL:-256}
else
	DIAL_PARALLEL=${DIAL_PARALLEL:-64}
fi
if ! [[ $RUNS =~ ^[0-9]+$ ]] || (( RUNS < 1 || RUNS > 20 )); then
	echo "RUNS must be 1..20" >&2
	exit 2
fi
if ! [[ $VIEWERS =~ ^[0-9]+$ ]] || (( VIEWERS < 1 || VIEWERS > 20000 )); then
	echo "VIEWERS must be 1..20000" >&2
	exit 2
fi

REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/common.sh
source "$REPO/bench/common.sh"
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

# Publishers: enough for livecart's per-connection chat limit (2/s, burst
# 5), the same number for both servers so the load is the same.
PUBS=0
LIMIT=$((150 + 30 + ${SETTLE%s})) # connect budget, settling, margin
if [[ $SCENARIO != idle && $SCENARIO != connect ]]; then
	if ! [[ $RATE =~ ^[0-9]+$ ]] || (( RATE < 1 || RATE > 3000 )); then
		echo "RATE must be 1..3000 messages a second" >&2
		exit 2
	fi
	PUBS=$(( (RATE * 2 + 2) / 3 ))
	if (( PUBS < 2 )); then PUBS=2; fi
	DUR_S=${DURATION%s}
	if ! [[ $DUR_S =~ ^[0-9]+$ ]] || (( DUR_S < 1 || DUR_S > 600 )); then
		echo "DURATION must be whole seconds, 1s..600s" >&2
		exit 2
	fi
	LIMIT=$(( DUR_S + 150 ))
fi

raise_fd_limit $(( VIEWERS + PUBS + 512 ))
build_tools "$REPO" "$WORK"
if [[ -n ${LIVECART_BEFORE_BIN:-} ]]; then
	cp "$LIVECART_BEFORE_BIN" "$WORK/livecart-before"
fi
if (( PEERED )); then
	peers_build "$REPO" "$WORK" "$PEERS"
fi

run_one() { # target port
	local target=$1 port=$2
	local lgtarget=$target bin=$WORK/livecart
	local token="bench-host-token-$RANDOM$RANDOM"
	local path=/ws
	# Only pin and storm hand loadgen the token (for their pinning host):
	# in chat it would make every publisher a host, whose lines the chat
	# cap never holds.
	local lgtoken=()
	if (( ! PEERED )); then lgtoken=(-token "$token"); fi
	case $target in
	livecart | "$BEFORE_LABEL")
		local cap=()
		if [[ -n $CHAT_CAP ]]; then cap=(--chat-cap "$CHAT_CAP"); fi
		if [[ $target == "$BEFORE_LABEL" ]]; then lgtarget=livecart bin=$WORK/livecart-before; fi
		"$bin" serve --addr "127.0.0.1:$port" --audience 0 --host-bot=false --token "$token" \
			--max-conns-per-ip -1 "${cap[@]}" \
			--orders "$WORK/orders-$port.jsonl" --log "$WORK/server-$port.log" >"$WORK/server-$port.out" 2>&1 &
		;;
	gorilla)
		"$WORK/bin/chat" -addr "127.0.0.1:$port" >"$WORK/server-$port.log" 2>&1 &
		;;
	gorilla-batch)
		lgtarget=gorilla
		"$WORK/bin/chatbatch" -addr "127.0.0.1:$port" >"$WORK/server-$port.log" 2>&1 &
		;;
	centrifugo)
		# Anonymous clients may subscribe and publish (client.insecure).
		printf '{"client":{"insecure":true},"http_server":{"address":"127.0.0.1","port":%d},"log":{"level":"error"}}\n' \
			"$port" >"$WORK/centrifugo-$port.json"
		"$WORK/bin/centrifugo" -c "$WORK/centrifugo-$port.json" >"$WORK/server-$port.log" 2>&1 &
		path=/connection/websocket
		;;
	esac
	SERVER_PID=$!
	if ! wait_ready "$port"; then
		echo "{\"scenario\":\"$SCENARIO\",\"target\":\"$target\",\"saturated\":true,\"notes\":\"server not ready\"}" >>"$OUT"
	else
		sleep 0.3 # let the server settle before the RSS baseline
		if ! timeout "$LIMIT" "$WORK/loadgen" -scenario "$SCENARIO" -target "$lgtarget" -label "$target" \
			-url "ws://127.0.0.1:$port$path" -viewers "$VIEWERS" -rate "${RATE:-1}" \
			-duration "$DURATION" -publishers "$PUBS" "${lgtoken[@]}" \
			-dial-parallel "$DIAL_PARALLEL" -settle "$SETTLE" \
			-server-pid "$SERVER_PID" >>"$OUT"; then
			echo "run $target on port $port failed" >&2
			# Keep the pairing by index: a failed run counts as saturated.
			echo "{\"scenario\":\"$SCENARIO\",\"target\":\"$target\",\"saturated\":true,\"notes\":\"run failed\"}" >>"$OUT"
		fi
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
	if (( PEERED )); then
		echo "== $SCENARIO round $i/$RUNS: livecart${LIVECART_BEFORE_BIN:+, $BEFORE_LABEL}, $PEERS ($VIEWERS viewers, $RATE msg/s, $DURATION)" >&2
	else
		echo "== $SCENARIO run $i/$RUNS: livecart ($VIEWERS viewers, $RATE msg/s, $DURATION)" >&2
	fi
	run_one livecart "$port"
	port=$((port + 1))
	if [[ -n ${LIVECART_BEFORE_BIN:-} ]]; then
		run_one "$BEFORE_LABEL" "$port"
		port=$((port + 1))
	fi
	if (( PEERED )); then
		for peer in "${PEER_LIST[@]}"; do
			run_one "$peer" "$port"
			port=$((port + 1))
		done
	fi
done

echo "results: $OUT"
"$WORK/loadgen" -summarize "$OUT"
