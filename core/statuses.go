package core

// Statuses of leads and call results that the engine itself sets or reads.
// The values are the codes call-center lists have long used (VICIdial's
// system statuses), because stored leads and reports already hold them and
// dialects that speak them pass them through unchanged; the names are the
// engine's.
const (
	StatusNew          = "NEW"    // never dialed
	StatusInCall       = "INCALL" // being dialed or talked to now
	StatusNoAnswer     = "NA"     // rang out unanswered (dialer)
	StatusNoAnswerUser = "N"      // no answer, set by an agent
	StatusBusy         = "B"
	StatusDisconnected = "DC" // number unreachable or congested
	StatusMachine      = "A"  // answering machine
	StatusDropped      = "DROP"
	StatusCallback     = "CALLBK"
)
