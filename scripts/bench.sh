#!/usr/bin/env bash
# Runs the benchmarks and the load tool (not part of the test command):
# every Benchmark in the repository (store writes on SQLite and MySQL, bus
# fan-out, ECCP fan-out…), then cmd/callgate-load against a demo gateway
# started here on loopback (SQLite, simulated PBX) for each scenario.
# Arguments go to go test: ./scripts/bench.sh -bench Fanout -benchtime 5s ./pkg/bus/...
# CALLGATE_BENCH_LOAD=0 skips the load runs; CALLGATE_LOAD_SECONDS sets
# their length (default 10); CALLGATE_BENCH_DB=mysql runs the gateway on the
# local MariaDB (database callgate_bench, recreated) instead of SQLite.
# The memory benchmark (10,000 agents) runs once: -bench EngineMemory -benchtime 1x ./core/
# CALLGATE_BENCH_GO=0 skips the Go benchmarks (load runs only).
# CALLGATE_BENCH_ARI_URL (with its users' passwords, see the end of this
# script) measures call control on a real Asterisk instead of simulated ones.
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
[ "${CALLGATE_BENCH_GO:-1}" = 0 ] ||
	go test -run '^$' -bench . -skip EngineMemory -benchmem -count=1 -p 1 ${args[@]+"${args[@]}"} "${pkgs[@]}"

[ "${CALLGATE_BENCH_LOAD:-1}" = 0 ] && exit 0
work=$(mktemp -d)
trap 'kill "$gw" 2>/dev/null; wait "$gw" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/gateway" ./cmd/gateway
go build -o "$work/load" ./cmd/callgate-load
addr=127.0.0.1:18180
dsn="sqlite://$work/bench.db"
if [ "${CALLGATE_BENCH_DB:-sqlite}" = mysql ]; then
	mysql -uroot -h127.0.0.1 -e 'DROP DATABASE IF EXISTS callgate_bench; CREATE DATABASE callgate_bench CHARACTER SET utf8mb4'
	dsn='mysql://root@tcp(127.0.0.1:3306)/callgate_bench'
fi
# exec: $! is then the gateway itself, which the trap stops.
(cd "$work" && exec env CALLGATE_DEMO=1 CALLGATE_SEED=1 CALLGATE_HTTP_ADDR=$addr CALLGATE_ECCP_ADDR=127.0.0.1:18181 CALLGATE_LOG_LEVEL=error \
	CALLGATE_DB_DSN="$dsn" CALLGATE_SECRET_KEY="$(head -c32 /dev/urandom | base64)" CALLGATE_ADMIN_TOKEN=demo-admin-token \
	CALLGATE_MEDIA_DIR= ./gateway >"$work/gateway.log" 2>&1) &
gw=$!
for _ in $(seq 100); do curl -fs "http://$addr/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
# external_pause needs agent 1000 logged in.
curl -fs -X POST -H 'Authorization: Bearer demo-admin-token' "http://$addr/api/v1/agents/1/login" >/dev/null
secs=${CALLGATE_LOAD_SECONDS:-10}
# health is the server's own cost: each dialect's figure is read against it.
for s in health vicidial/version vicidial/external_pause vicidial/external_status vicidial/nonagent_version \
	vicidial/nonagent_add_lead vicidial/nonagent_agent_status vicidial/nonagent_lead_search \
	expand/soap_getUserInfo expand/rest_campaigns ucontact/queuesummary infocaller/emission admin/agents; do
	"$work/load" -target "http://$addr" -scenario "$s" -c 32 -d "${secs}s"
done
# ECCP fan-out: 1,000 consoles, agent 1064 paused and resumed 20 times a second.
"$work/load" -target "http://$addr" -scenario eccp/fanout -eccp 127.0.0.1:18181 -c 1000 -rate 20 -d "${secs}s"
# Last: the calls it creates stay queued and keep the engine busy for a while
# (run before the fan-out, their backlog delayed its events by seconds).
"$work/load" -target "http://$addr" -scenario sim/inbound -c 32 -d "${secs}s"
# Call control: raw ARI against the same calls through a gateway. Without
# CALLGATE_BENCH_ARI_URL both halves use simulated Asterisks (the tool's own;
# the gateway's in process, telephony.mode simari). With it (a real Asterisk's
# ARI on loopback, e.g. http://127.0.0.1:8088/ari; users and dialplan in
# README "Performance") both halves drive that Asterisk: the raw half as
# CALLGATE_BENCH_ARI_LOAD_USER / _PASSWORD (app callgate-load), the gateway
# as CALLGATE_BENCH_ARI_USER / _PASSWORD (app callgate), agent 1064 on
# Local/1064@load-answer and customers through Local/{number}@callgate-outbound.
kill "$gw" 2>/dev/null; wait "$gw" 2>/dev/null || true
ari_env=(CALLGATE_TELEPHONY=simari CALLGATE_ARI_PASSWORD=bench-pw)
raw_flags=()
if [ -n "${CALLGATE_BENCH_ARI_URL:-}" ]; then
	ari_env=(CALLGATE_TELEPHONY=ari CALLGATE_ARI_URL="$CALLGATE_BENCH_ARI_URL"
		CALLGATE_ARI_USER="${CALLGATE_BENCH_ARI_USER:-callgate}" CALLGATE_ARI_PASSWORD="${CALLGATE_BENCH_ARI_PASSWORD:?set CALLGATE_BENCH_ARI_PASSWORD}")
	raw_flags=(-ari "$CALLGATE_BENCH_ARI_URL" -ari-user "${CALLGATE_BENCH_ARI_LOAD_USER:-callgate-load}"
		-raw-endpoints Local/1000@load-answer,Local/7275551111@load-answer)
	export CALLGATE_LOAD_ARI_PASSWORD="${CALLGATE_BENCH_ARI_LOAD_PASSWORD:?set CALLGATE_BENCH_ARI_LOAD_PASSWORD}"
fi
(cd "$work" && exec env CALLGATE_DEMO=1 CALLGATE_SEED=1 "${ari_env[@]}" \
	CALLGATE_HTTP_ADDR=$addr CALLGATE_ECCP_ADDR=off CALLGATE_LOG_LEVEL=error CALLGATE_DB_DSN="sqlite://$work/bench-ari.db" \
	CALLGATE_SECRET_KEY="$(head -c32 /dev/urandom | base64)" CALLGATE_ADMIN_TOKEN=demo-admin-token CALLGATE_MEDIA_DIR= \
	./gateway >"$work/gateway-ari.log" 2>&1) &
gw=$!
for _ in $(seq 100); do curl -fs "http://$addr/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
if [ -n "${CALLGATE_BENCH_ARI_URL:-}" ]; then
	curl -fs -X PUT -H 'Authorization: Bearer demo-admin-token' "http://$addr/api/v1/agents/3" -d '{"extension":"Local/1064@load-answer"}' >/dev/null
fi
curl -fs -X POST -H 'Authorization: Bearer demo-admin-token' "http://$addr/api/v1/agents/3/login" >/dev/null
"$work/load" -target "http://$addr" -scenario ari/manual_call -d "$((secs * 2))s" ${raw_flags[@]+"${raw_flags[@]}"}
