#!/usr/bin/env bash
# Runs the benchmarks (not part of the test command): store writes per second
# on SQLite and MySQL, MemoryBus fan-out to 1,000 subscribers, NATS publish
# and fan-out, and any other Benchmark in the repository.
# Arguments go to go test: ./scripts/bench.sh -bench Fanout -benchtime 5s ./pkg/bus/...
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
exec go test -run '^$' -bench . -benchmem -count=1 -p 1 ${args[@]+"${args[@]}"} "${pkgs[@]}"
