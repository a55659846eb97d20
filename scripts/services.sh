# shellcheck shell=bash
# Sourced by test.sh and bench.sh: makes sure MariaDB (127.0.0.1:3306) and a
# JetStream-enabled NATS server (127.0.0.1:4222) answer, installing and
# starting them on a fresh Debian/Ubuntu machine, and exports the DSNs the
# tests read:
#   CALLGATE_TEST_MYSQL_DSN   e.g. root@tcp(127.0.0.1:3306)/test?parseTime=true
#   CALLGATE_TEST_NATS_URL    nats://127.0.0.1:4222
# A variable already set is trusted and its service left alone.
# CALLGATE_TEST_NO_SERVICES=1 skips both (the MySQL and NATS tests then skip).

log() { echo "scripts: $*" >&2; }
die() { log "$*"; exit 1; }

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo -n "$@"
	else
		return 1
	fi
}

_apt_updated=
apt_install() {
	command -v apt-get >/dev/null 2>&1 || die "cannot install $*: no apt-get; install it yourself or set CALLGATE_TEST_NO_SERVICES=1"
	if [ -z "$_apt_updated" ]; then
		log "apt-get update"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed (root or sudo needed)"
		_apt_updated=1
	fi
	log "installing $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 ||
		die "apt-get install $* failed"
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every half second.
wait_until() {
	local limit=$(($1 * 2)) what=$2 i=0
	shift 2
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge "$limit" ] && die "$what did not come up within $((limit / 2))s"
		sleep 0.5
	done
}

mysql_alive() { mysqladmin -h127.0.0.1 -P3306 -uroot --connect-timeout=2 ping; }

ensure_mariadb() {
	if [ -n "${CALLGATE_TEST_MYSQL_DSN:-}" ]; then
		return
	fi
	if ! command -v mysqladmin >/dev/null 2>&1 || ! mysql_alive >/dev/null 2>&1; then
		[ -x /usr/sbin/mariadbd ] || apt_install mariadb-server
		command -v mysqladmin >/dev/null 2>&1 || apt_install mariadb-client
		if ! mysql_alive >/dev/null 2>&1; then
			log "starting MariaDB"
			# Without systemd nobody creates the socket directory.
			as_root install -d -o mysql -g mysql /run/mysqld 2>/dev/null || true
			as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd ||
				die "could not start mariadbd"
			wait_until 60 "MariaDB on 127.0.0.1:3306" mysql_alive
		fi
	fi
	# root without a password over TCP is what the tests expect; a stock
	# Debian root only logs in over the socket, so then a test user is made
	# there with rights on the test databases only.
	if mysql -h127.0.0.1 -P3306 -uroot -e 'CREATE DATABASE IF NOT EXISTS test' >/dev/null 2>&1; then
		CALLGATE_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test?parseTime=true'
	elif as_root mysql -uroot -e "
		CREATE DATABASE IF NOT EXISTS test;
		CREATE USER IF NOT EXISTS 'callgate_test'@'127.0.0.1';
		CREATE USER IF NOT EXISTS 'callgate_test'@'localhost';
		GRANT ALL ON \`test\`.* TO 'callgate_test'@'127.0.0.1', 'callgate_test'@'localhost';
		GRANT ALL ON \`callgate\\_t\\_%\`.* TO 'callgate_test'@'127.0.0.1', 'callgate_test'@'localhost';" >/dev/null 2>&1; then
		CALLGATE_TEST_MYSQL_DSN='callgate_test@tcp(127.0.0.1:3306)/test?parseTime=true'
	else
		die "MariaDB is up but neither root over TCP nor root over the socket can log in"
	fi
	export CALLGATE_TEST_MYSQL_DSN
}

# nats_jetstream succeeds when the server's INFO line says JetStream is on.
nats_jetstream() {
	timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4222 && head -n1 <&3' 2>/dev/null | grep -q '"jetstream":true'
}

ensure_nats() {
	if [ -n "${CALLGATE_TEST_NATS_URL:-}" ]; then
		return
	fi
	if ! nats_jetstream; then
		[ -x /usr/sbin/nats-server ] || apt_install nats-server
		log "starting nats-server"
		as_root install -d /var/lib/nats-server
		as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
			-a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server ||
			die "could not start nats-server"
		wait_until 20 "NATS with JetStream on 127.0.0.1:4222" nats_jetstream
	fi
	export CALLGATE_TEST_NATS_URL='nats://127.0.0.1:4222'
}

# ensure_lame installs Debian's lame, the MP3 encoder of recording media
# (pkg/media runs it as a subprocess). Without it the MP3 tests skip, so a
# failed install only warns.
ensure_lame() {
	command -v lame >/dev/null 2>&1 && return
	(apt_install lame) || log "lame not installed: the MP3 tests of pkg/media will skip"
}

# ensure_php_soap installs PHP's command line with ext/soap: the eXpand SOAP
# tests run a real legacy client (PHP SoapClient) against the gateway.
ensure_php_soap() {
	php -m 2>/dev/null | grep -qx soap && return
	(apt_install php-cli php-soap) || log "php-soap not installed: the PHP SoapClient tests of cmd/gateway will skip"
}

# ensure_chromium installs Debian's chromium, the browser the web pages'
# tests drive headless through chromedp (cmd/gateway/browser_test.go). Without
# it those tests skip with a message saying so, so a failed install only
# warns. CALLGATE_TEST_CHROMIUM names another binary.
ensure_chromium() {
	if [ -n "${CALLGATE_TEST_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1; then
		return
	fi
	(apt_install chromium) || log "chromium not installed: the browser tests of the web pages will skip"
}

ensure_services() {
	ensure_lame
	ensure_php_soap
	ensure_chromium
	if [ "${CALLGATE_TEST_NO_SERVICES:-}" = 1 ]; then
		log "CALLGATE_TEST_NO_SERVICES=1: MySQL and NATS tests will skip"
		return
	fi
	ensure_mariadb
	ensure_nats
	log "MySQL: $CALLGATE_TEST_MYSQL_DSN"
	log "NATS:  $CALLGATE_TEST_NATS_URL"
}
