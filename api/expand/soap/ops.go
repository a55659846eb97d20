package soap

// XSD names one of the three xsd types the apiws operations use.
type XSD string

// The types the WSDLs declare. They decide what clients see: PHP SoapClient
// gives int(-1) for xsd:int and "-1" for xsd:string.
const (
	XSDString  XSD = "xsd:string"
	XSDInt     XSD = "xsd:int"
	XSDBoolean XSD = "xsd:boolean"
)

// Part is one declared parameter of an operation.
type Part struct {
	Name string
	Type XSD
	// Optional parts may be absent from a request (the document marks them
	// with brackets or "vacío si ..."); an absent optional part reads as "".
	Optional bool
}

// Operation is one apiws.php operation: its parts in declared (positional)
// order and the type of its single "return" part.
type Operation struct {
	Name   string
	Parts  []Part
	Return XSD
}

func req(name string) Part                 { return Part{Name: name, Type: XSDString} }
func opt(name string) Part                 { return Part{Name: name, Type: XSDString, Optional: true} }
func reqInt(name string) Part              { return Part{Name: name, Type: XSDInt} }
func key() Part                            { return req("authorizedKey") }
func strOp(n string, p ...Part) Operation  { return Operation{Name: n, Parts: p, Return: XSDString} }
func intOp(n string, p ...Part) Operation  { return Operation{Name: n, Parts: p, Return: XSDInt} }
func boolOp(n string, p ...Part) Operation { return Operation{Name: n, Parts: p, Return: XSDBoolean} }

// operations is the single table both WSDLs in soap/wsdl must agree with
// (TestWSDLMatchesOperationTable). Names, order and parts follow
// ../shared/specs/expand-webservices.es.txt; the production WSDL was not
// available, so where the document is ambiguous the choice is noted.
var operations = []Operation{
	strOp("originateCall", key(), req("src"), opt("srcCallerID"), req("dst"), opt("dstCallerID"), reqInt("timeout"), opt("callinfo")),
	intOp("originateCallStatus", key(), req("originatedID")),
	intOp("originateCallCancel", key(), req("originatedID")),
	strOp("extensionPbx", key()),
	// The document writes the part as uniqueld/uniquelD (OCR of uniqueId).
	strOp("recordingPbx", key(), req("uniqueId")),
	// uniqueid, or the period inicio..fin when uniqueid is empty.
	strOp("cdrData", key(), opt("uniqueid"), opt("inicio"), opt("fin")),
	strOp("cdrCustom", key(), req("inicio"), req("fin")),
	strOp("statusQueues", key()),
	// queueData and agentData have no authorizedKey in the document; the
	// signatures are kept as written so positional callers line up.
	strOp("queueData", req("Cola"), opt("Agente"), req("FechaInicio"), req("FechaFin")),
	strOp("agentData", req("Cola"), req("FechaInicio"), req("FechaFin")),
	// "Devuelve el valor TRUE ... FALSE": typed xsd:boolean.
	boolOp("loginAgent", key(), req("agent"), req("extension")),
	boolOp("logoutAgent", key(), req("agent")),
	boolOp("pauseAgent", key(), req("agent"), opt("queues"), opt("pauseDTMF")),
	boolOp("unpauseAgent", key(), req("agent"), opt("queues")),
	// The document spells the key "autorizedkey" here; positional callers
	// are unaffected and named ones use the WSDL's name.
	strOp("getAgentLoggedInfo", key(), req("username")),
	strOp("getUserByAgent", key(), req("agent")),
	strOp("getUserInfo", key(), req("username")),
	strOp("getAgentTimes", key(), req("inicio"), req("fin"), opt("agente"), opt("cola")),
	strOp("agentSessionDetail", key(), req("inicio"), req("fin"), opt("userID"), opt("cola")),
	strOp("getAgentLogin", key(), req("extensions")),
	strOp("sendSms", key(), req("msgId"), req("msgData"), req("msgRecip")),
	strOp("statusSms", key(), req("idSMS")),
}

var operationIndex = func() map[string]int {
	m := make(map[string]int, len(operations))
	for i, op := range operations {
		m[op.Name] = i
	}
	return m
}()

// Operations returns the operation table in WSDL order (a copy).
func OperationTable() []Operation {
	out := make([]Operation, len(operations))
	for i, op := range operations {
		op.Parts = append([]Part(nil), op.Parts...)
		out[i] = op
	}
	return out
}

// LookupOperation finds an operation by its exact name, as NuSOAP does.
func LookupOperation(name string) (Operation, bool) {
	i, ok := operationIndex[name]
	if !ok {
		return Operation{}, false
	}
	return operations[i], true
}
