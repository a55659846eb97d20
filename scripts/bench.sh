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
	expand/soap_getUserInfo expand/rest_campaigns ucontact/queuesummary infocaller/emission admin/agents sim/inbound; do
	"$work/load" -target "http://$addr" -scenario "$s" -c 32 -d "${secs}s"
done
# ECCP fan-out: 1,000 consoles, agent 1064 paused and resumed 20 times a second.
"$work/load" -target "http://$addr" -scenario eccp/fanout -eccp 127.0.0.1:18181 -c 1000 -rate 20 -d "${secs}s"
# Call control: raw ARI on the tool's own simulated Asterisk against the same calls through a
# gateway driving its in-process simulated Asterisk over ARI (telephony.mode simari).
kill "$gw" 2>/dev/null; wait "$gw" 2>/dev/null || true
(cd "$work" && exec env CALLGATE_DEMO=1 CALLGATE_SEED=1 CALLGATE_TELEPHONY=simari CALLGATE_ARI_PASSWORD=bench-pw \
	CALLGATE_HTTP_ADDR=$addr CALLGATE_ECCP_ADDR=off CALLGATE_LOG_LEVEL=error CALLGATE_DB_DSN="sqlite://$work/bench-ari.db" \
	CALLGATE_SECRET_KEY="$(head -c32 /dev/urandom | base64)" CALLGATE_ADMIN_TOKEN=demo-admin-token CALLGATE_MEDIA_DIR= \
	./gateway >"$work/gateway-ari.log" 2>&1) &
gw=$!
for _ in $(seq 100); do curl -fs "http://$addr/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs -X POST -H 'Authorization: Bearer demo-admin-token' "http://$addr/api/v1/agents/3/login" >/dev/null
"$work/load" -target "http://$addr" -scenario ari/manual_call -d "$((secs * 2))s"
