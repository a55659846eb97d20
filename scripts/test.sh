#!/usr/bin/env bash
# The project's test command. Brings up MariaDB and NATS if needed (see
# services.sh), then: gofmt, go vet, and every test twice: without and with
# the race detector.
# Extra arguments go to go test, e.g. ./scripts/test.sh -run TestTx ./pkg/store/...
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

echo "== gofmt"
unformatted=$(gofmt -l $(find . -name '*.go' -not -path './.git/*' -not -path './vendor/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"
	echo "$unformatted"
	exit 1
fi

echo "== go vet"
go vet "${pkgs[@]}"

# -p 2: a two-core machine runs two test binaries at a time, each of which
# may hold several MariaDB databases and NATS streams.
gotest() {
	go test -count=1 -p "${CALLGATE_TEST_PARALLEL:-2}" -timeout "${CALLGATE_TEST_TIMEOUT:-25m}" "$@" ${args[@]+"${args[@]}"} "${pkgs[@]}"
}

# Both passes, because timing-dependent tests hide behind the race
# detector's slowness and data races only show with it.
# CALLGATE_TEST_RACE=only|off runs one of them.
if [ "${CALLGATE_TEST_RACE:-both}" != only ]; then
	echo "== go test (without -race)"
	gotest
fi
if [ "${CALLGATE_TEST_RACE:-both}" != off ]; then
	echo "== go test -race"
	gotest -race
fi
