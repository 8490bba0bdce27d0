# shellcheck shell=bash
# What compare.sh and cluster.sh share (sourced, not run).
#
#   raise_fd_limit NEED
#
# lets this shell, and the servers and loadgen it starts, hold NEED
# descriptors: every connection is one in the server and one in loadgen.
# Raising the hard limit needs root; Go programs raise their soft limit to
# the hard one by themselves.
#
#   build_tools REPO WORK
#
# puts loadgen in WORK/loadgen and livecart in WORK/livecart
# ($LIVECART_BIN, else built from REPO).
#
#   wait_ready PORT
#
# waits, at most 15 s, until 127.0.0.1:PORT accepts TCP.
#
#   peers_build REPO WORK PEERS
#
# puts each peer of PEERS (a comma-separated list; others are ignored) in
# WORK/bin, under the name the scripts start it by:
#
#   gorilla        WORK/bin/chat        $GORILLA_CHAT_BIN, else go install
#                                       of gorilla/websocket examples/chat@v1.5.3
#   gorilla-batch  WORK/bin/chatbatch   $GORILLA_BATCH_BIN, else the same
#                                       example from REPO's module cache with
#                                       bench/chat-batch.patch, built in
#                                       WORK/chatbatch
#   centrifugo     WORK/bin/centrifugo  $CENTRIFUGO_BIN, else go install of
#                                       centrifugo v6.9.1 (minutes)

raise_fd_limit() {
	local need=$1
	if (($(ulimit -Hn) < need)); then
		ulimit -Hn "$need" 2>/dev/null || echo "warning: ulimit -Hn is $(ulimit -Hn), below the $need descriptors this run needs" >&2
	fi
	ulimit -n "$(ulimit -Hn)"
}

build_tools() {
	local repo=$1 work=$2
	echo "building into $work" >&2
	mkdir -p "$work/bin"
	(cd "$repo" && go build -o "$work/loadgen" ./bench/loadgen)
	if [[ -n ${LIVECART_BIN:-} ]]; then
		cp "$LIVECART_BIN" "$work/livecart"
	else
		(cd "$repo" && go build -o "$work/livecart" .)
	fi
}

wait_ready() {
	local port=$1
	for _ in $(seq 1 150); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1 # a poll of the port, bounded above
	done
	echo "port $port not ready after 15s" >&2
	return 1
}

peers_build() {
	local repo=$1 work=$2 want=,$3,
	mkdir -p "$work/bin"
	if [[ $want == *,gorilla,* ]]; then
		if [[ -n ${GORILLA_CHAT_BIN:-} ]]; then
			cp "$GORILLA_CHAT_BIN" "$work/bin/chat"
		else
			GOBIN="$work/bin" go install github.com/gorilla/websocket/examples/chat@v1.5.3
		fi
	fi
	if [[ $want == *,gorilla-batch,* ]]; then
		if [[ -n ${GORILLA_BATCH_BIN:-} ]]; then
			cp "$GORILLA_BATCH_BIN" "$work/bin/chatbatch"
		else
			peers_build_gorilla_batch "$repo" "$work"
		fi
	fi
	if [[ $want == *,centrifugo,* ]]; then
		if [[ -n ${CENTRIFUGO_BIN:-} ]]; then
			cp "$CENTRIFUGO_BIN" "$work/bin/centrifugo"
		else
			GOBIN="$work/bin" go install github.com/centrifugal/centrifugo/v6@v6.9.1
		fi
	fi
}

# peers_build_gorilla_batch REPO WORK: the gorilla example, from the module
# REPO already uses, with livecart's batching rule in its hub and nothing
# else changed.
peers_build_gorilla_batch() {
	local repo=$1 work=$2 gws
	gws=$(cd "$repo" && go list -m -f '{{.Dir}}' github.com/gorilla/websocket)
	mkdir -p "$work/chatbatch"
	cp "$gws"/examples/chat/*.go "$work/chatbatch/"
	chmod u+w "$work"/chatbatch/*.go
	patch -s -d "$work/chatbatch" -p1 <"$repo/bench/chat-batch.patch"
	printf 'module chatbatch\n\ngo 1.26\n\nrequire github.com/gorilla/websocket v1.5.3\n' >"$work/chatbatch/go.mod"
	grep '^github.com/gorilla/websocket v1.5.3' "$repo/go.sum" >"$work/chatbatch/go.sum"
	(cd "$work/chatbatch" && GOFLAGS='-mod=mod -buildvcs=false' go build -o "$work/bin/chatbatch" .)
}
