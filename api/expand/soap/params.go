package soap

import (
	"fmt"
	"strconv"
	"strings"
)

// Arg is one child element of the operation element, as sent.
type Arg struct {
	// Name is the local name (namespace prefixes dropped): a declared part
	// name, or param0..paramN from PHP SoapClient without a WSDL.
	Name string
	// Value is the text content. For a SOAP-ENC array (or any element
	// whose children are all scalars) the items joined with ",".
	Value string
	// Items holds the item values when the argument was an array.
	Items []string
	// XSIType is the xsi:type attribute as written ("xsd:int"), if any.
	XSIType string
	// Nil is set by xsi:nil="true" (or "1"); an absent part for binding.
	Nil bool
}

// Params are the bound parameters of one call: declared part names in
// declared order, each with its value. Absent optional parts are present
// with "" so operations never have to tell absent from empty.
type Params struct {
	Order  []string
	Values map[string]string
}

// Get returns the value of a declared part ("" when absent).
func (p Params) Get(name string) string { return p.Values[name] }

// Int returns an xsd:int part; binding has already checked its syntax.
func (p Params) Int(name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(p.Values[name]), 10, 64)
	return n
}

// Bind maps the request's arguments onto the operation's parts, the way
// NuSOAP does: by name when every argument name is a declared part
// (case-insensitively, a deliberate leniency), otherwise by position, which
// covers PHP SoapClient's param0..paramN and any other renaming client.
// Missing required parts, surplus arguments and malformed xsd:int values
// are client faults.
func Bind(op Operation, args []Arg) (Params, *Fault) {
	if len(args) > len(op.Parts) {
		return Params{}, clientFault(fmt.Sprintf("operation '%s' takes %d parameters, %d were sent", op.Name, len(op.Parts), len(args)))
	}
	byName := make(map[string]int, len(op.Parts))
	for i, p := range op.Parts {
		byName[strings.ToLower(p.Name)] = i
	}
	slot := make([]*Arg, len(op.Parts))
	named := true
	for i := range args {
		j, ok := byName[strings.ToLower(args[i].Name)]
		if !ok || slot[j] != nil {
			named = false
			break
		}
		slot[j] = &args[i]
	}
	if !named {
		clear(slot)
		for i := range args {
			slot[i] = &args[i]
		}
	}
	out := Params{Order: make([]string, len(op.Parts)), Values: make(map[string]string, len(op.Parts))}
	for i, part := range op.Parts {
		out.Order[i] = part.Name
		a := slot[i]
		if a == nil || a.Nil {
			if !part.Optional {
				return Params{}, clientFault(fmt.Sprintf("missing parameter '%s' of operation '%s'", part.Name, op.Name))
			}
			out.Values[part.Name] = ""
			continue
		}
		if part.Type == XSDInt {
			if _, err := strconv.ParseInt(strings.TrimSpace(a.Value), 10, 32); err != nil {
				return Params{}, clientFault(fmt.Sprintf("parameter '%s' of operation '%s' must be an xsd:int", part.Name, op.Name))
			}
		}
		out.Values[part.Name] = a.Value
	}
	return out, nil
}

// Result is an operation's answer, the value of the response's "return"
// part. Its kind must match the operation's declared return type.
type Result struct {
	kind  XSD
	value string
}

// String is an xsd:string result (XML documents are returned this way,
// as text, and escaped on the wire).
func String(s string) Result { return Result{kind: XSDString, value: s} }

// Int is an xsd:int result.
func Int(n int64) Result { return Result{kind: XSDInt, value: strconv.FormatInt(n, 10)} }

// Bool is an xsd:boolean result, written "true"/"false" as NuSOAP does.
func Bool(b bool) Result { return Result{kind: XSDBoolean, value: strconv.FormatBool(b)} }

// Type is the xsd type of the result.
func (r Result) Type() XSD { return r.kind }

// Text is the unescaped text of the result.
func (r Result) Text() string { return r.value }

// ArgValues lists the arguments' values in the order sent.
func (r *Request) ArgValues() []string {
	out := make([]string, len(r.Args))
	for i, a := range r.Args {
		out[i] = a.Value
	}
	return out
}
