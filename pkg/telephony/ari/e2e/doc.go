// Package e2e holds the end-to-end tests of the engine (core) driving a
// real Asterisk 22 through pkg/telephony/ari, and of the gateway binary in
// ari mode. They skip unless CALLGATE_TEST_ARI_URL points at an Asterisk
// running deploy/asterisk's configuration, whose callgate-test contexts
// provide the Local endpoints used as callers, agents' phones and transfer
// targets (no SIP needed).
//
// The tests register the Stasis applications "callgate" and "callgate-far"
// and hang up every channel they find: use a dedicated Asterisk, never one
// a gateway is using. One way, from an Asterisk 22 build:
//
//	mkdir -p /srv/ast-e2e/{etc,spool/recording,run,log,db,keys}
//	cp deploy/asterisk/*.conf /srv/ast-e2e/etc/   # plus indications.conf, logger.conf
//	# asterisk.conf: astetcdir, astspooldir, astrundir, astlogdir, astdbdir,
//	#   astkeydir under /srv/ast-e2e; astmoddir/astdatadir from the build
//	#   (astdatadir needs moh/ files and sounds/en/beep)
//	# http.conf: bindaddr 127.0.0.1, a free bindport (e.g. 8098)
//	asterisk -C /srv/ast-e2e/etc/asterisk.conf -f -n &
//
// Asterisk does not create <astspooldir>/recording: without it every
// recording fails (ARI 500, "No such file or directory").
//
// Variables:
//
//	CALLGATE_TEST_ARI_URL          ARI root, e.g. http://127.0.0.1:8098/ari
//	CALLGATE_TEST_ARI_USER         ARI user (default callgate)
//	CALLGATE_TEST_ARI_PASSWORD     its password
//	CALLGATE_TEST_ARI_RESTART_CMD  restarts that Asterisk, for the restart
//	                               tests, e.g. asterisk -C .../asterisk.conf -rx "core restart now"
//	                               (graceful) or a kill -9 + start script (crash)
//	CALLGATE_TEST_ASTERISK_CLI     optional CLI prefix (asterisk -C .../asterisk.conf -rx),
//	                               to check what ARI does not show (the queue
//	                               bridge's music-on-hold announcer)
//	CALLGATE_TEST_ARI_SPOOL        optional spool directory, to check the
//	                               recording file on disk
//	CALLGATE_TEST_ARI_DIAL_EP      optional endpoint that Dial()s an
//	                               answering one (an agent phone behind Dial)
//	CALLGATE_TEST_MYSQL_DSN        also runs the main inbound flow on MySQL
package e2e
