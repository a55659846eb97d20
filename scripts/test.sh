#!/usr/bin/env bash
# The project's test command. Brings up MariaDB and NATS if needed (see
# services.sh), then: gofmt, go vet, and every test with the race detector.
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

echo "== go test"
# -p 2: a two-core machine runs two test binaries at a time, each of which
# may hold several MariaDB databases and NATS streams.
exec go test -race -count=1 -p "${CALLGATE_TEST_PARALLEL:-2}" -timeout "${CALLGATE_TEST_TIMEOUT:-25m}" ${args[@]+"${args[@]}"} "${pkgs[@]}"
