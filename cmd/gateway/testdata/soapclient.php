<?php
// A legacy eXpand client as customers wrote them: PHP's own SoapClient,
// unmodified, in the call styles found in the wild. Prints one line per
// call: "<style> <operation> => <json of the decoded result>" or a FAULT.
$base = $argv[1];
$k = '319a67432f51ed53938542b809320dd2';
$wsdl = new SoapClient($base . '/apiws/2/apiws.php?wsdl', ['cache_wsdl' => WSDL_CACHE_NONE, 'exceptions' => true]);
$plain = new SoapClient(null, ['location' => $base . '/apiws/2/apiws.php', 'uri' => 'urn:apiws']);
function show($style, $op, $fn) {
	try {
		$r = $fn();
		echo "$style $op => ", json_encode($r, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
	} catch (SoapFault $f) {
		echo "$style $op FAULT ", $f->faultcode, " ", $f->faultstring, "\n";
	}
}
show('soapCall', 'getUserInfo', fn() => $wsdl->__soapCall('getUserInfo', [$k, 'ngarcia']));
show('method', 'getUserByAgent', fn() => $wsdl->getUserByAgent($k, '118'));
show('method', 'loginAgent', fn() => $wsdl->loginAgent($k, 'ngarcia', '101'));
show('method', 'getAgentLoggedInfo', fn() => $wsdl->getAgentLoggedInfo($k, 'ngarcia'));
show('method', 'pauseAgent', fn() => $wsdl->pauseAgent($k, 'ngarcia', '', 'Almuerzo'));
show('method', 'unpauseAgent', fn() => $wsdl->unpauseAgent($k, 'ngarcia', ''));
show('method', 'logoutAgent', fn() => $wsdl->logoutAgent($k, 'ngarcia'));
show('method', 'originateCall', fn() => $wsdl->originateCall($k, '701', 'Juan Perez', '927126666', 'Netgate', 20, 'info=01-43-1'));
show('method', 'sendSms', fn() => $wsdl->sendSms($k, '0', 'Hola', '099123456'));
show('method', 'statusSms', fn() => $wsdl->statusSms($k, '1'));
show('method', 'getAgentTimes', fn() => $wsdl->getAgentTimes($k, '2026-13-01 00:00:00', '2026-12-04 23:59:59', '', ''));
show('method', 'wrongKey', fn() => $wsdl->getUserInfo('wrong', 'ngarcia'));
show('named', 'getUserInfo', fn() => $plain->__soapCall('getUserInfo', [new SoapParam($k, 'authorizedKey'), new SoapParam('admin', 'username')]));
show('named', 'missingParameter', fn() => $plain->__soapCall('getUserInfo', [new SoapParam($k, 'authorizedKey')]));
show('named', 'unknownOperation', fn() => $plain->__soapCall('nope', []));
