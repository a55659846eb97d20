#!/usr/bin/env bash
# Runs the benchmarks and the load tool (not part of the test command):
# every Benchmark in the repository (store writes on SQLite and MySQL, bus
# fan-out, ECCP fan-out…), then cmd/callgate-load against a demo gateway
# started here on loopback (SQLite, simulated PBX) for each scenario.
# Arguments go to go test: ./scripts/bench.sh -bench Fanout -benchtime 5s ./pkg/bus/...
# CALLGATE_BENCH_LOAD=0 skips the load runs; CALLGATE_LOAD_SECONDS sets
# their length (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

ensure_services

pkgs=(./...)
args=()
for a in "$@"; do
	case $a in
	./*) [ "${pkgs[0]}" = ./... ] && pkgs=(); pkgs+=("$a") ;;
	*) args+=("$a") ;;
	esac
done
go test -run '^$' -bench . -benchmem -count=1 -p 1 ${args[@]+"${args[@]}"} "${pkgs[@]}"

[ "${CALLGATE_BENCH_LOAD:-1}" = 0 ] && exit 0
work=$(mktemp -d)
trap 'kill "$gw" 2>/dev/null; wait "$gw" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/gateway" ./cmd/gateway
go build -o "$work/load" ./cmd/callgate-load
addr=127.0.0.1:18180
(cd "$work" && CALLGATE_DEMO=1 CALLGATE_HTTP_ADDR=$addr CALLGATE_ECCP_ADDR=off CALLGATE_LOG_LEVEL=error \
	CALLGATE_DB_DSN="sqlite://$work/bench.db" CALLGATE_MEDIA_DIR= ./gateway >"$work/gateway.log" 2>&1) &
gw=$!
for _ in $(seq 100); do curl -fs "http://$addr/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
# external_pause needs agent 1000 logged in.
curl -fs -X POST -H 'Authorization: Bearer demo-admin-token' "http://$addr/api/v1/agents/1/login" >/dev/null
secs=${CALLGATE_LOAD_SECONDS:-10}
for s in health vicidial/version vicidial/external_pause vicidial/external_status vicidial/nonagent_version admin/agents sim/inbound; do
	"$work/load" -target "http://$addr" -scenario "$s" -c 32 -d "${secs}s"
done
