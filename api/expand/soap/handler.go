package soap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/callgate/callgate/soap/wsdl"
)

// Operations carries out apiws calls. The handler has already checked the
// operation exists and bound its parameters (Params holds every declared
// part); the implementation answers with a Result of the operation's
// declared return type. Business errors (a wrong authorizedKey and the
// document's other codes) are normal results, never faults; an error
// becomes a fault (a *Fault as given, anything else a generic Server fault
// whose text is logged, not sent).
type Operations interface {
	Call(ctx context.Context, op string, params Params) (Result, error)
}

// Options tune the handler. The zero value is usable.
type Options struct {
	Limits Limits // zero fields take DefaultLimits
	// BaseURL ("https://pbx.example.com"), when set, is the scheme and
	// host written into the WSDLs' soap:address; otherwise they come from
	// X-Forwarded-Proto/-Host or the request's Host.
	BaseURL string
	Logger  *slog.Logger
}

// NewHandler serves one apiws.php endpoint: GET ?wsdl (rpc/encoded) and
// ?wsdl=doclit, POST SOAP calls. Mount it at the legacy paths
// (/apiws/2/apiws.php, /apiws/1/apiws.php); the WSDLs point at whichever
// path was requested.
func NewHandler(ops Operations, opt Options) http.Handler {
	lim := opt.Limits
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultLimits.MaxBytes
	}
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = DefaultLimits.MaxDepth
	}
	if lim.MaxElements <= 0 {
		lim.MaxElements = DefaultLimits.MaxElements
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	return &handler{ops: ops, lim: lim, base: strings.TrimRight(opt.BaseURL, "/"), log: log}
}

type handler struct {
	ops  Operations
	lim  Limits
	base string
	log  *slog.Logger
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if style, ok := wsdlQuery(r); ok && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		h.serveWSDL(w, r, style)
		return
	}
	if r.Method != http.MethodPost {
		// NuSOAP shows an HTML description on a plain GET; the gateway
		// points at the WSDL instead.
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "POST a SOAP request, or GET ?wsdl", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > h.lim.MaxBytes {
		h.fault(w, clientFault(fmt.Sprintf("request body exceeds %d bytes", h.lim.MaxBytes)))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.lim.MaxBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.fault(w, clientFault(fmt.Sprintf("request body exceeds %d bytes", h.lim.MaxBytes)))
			return
		}
		h.fault(w, clientFault("could not read the request body"))
		return
	}
	req, f := Decode(body, r.Header.Get("Content-Type"), r.Header.Get("SOAPAction"), h.lim)
	if f != nil {
		h.fault(w, f)
		return
	}
	op, ok := LookupOperation(req.Operation)
	if !ok {
		// NuSOAP's own words, which clients may match on.
		h.fault(w, clientFault(fmt.Sprintf("Operation '%s' is not defined in the WSDL for this service", req.Operation)))
		return
	}
	params, f := Bind(op, req.Args)
	if f != nil {
		h.fault(w, f)
		return
	}
	res, err := h.ops.Call(r.Context(), op.Name, params)
	if err != nil {
		var fe *Fault
		if errors.As(err, &fe) {
			h.fault(w, fe)
			return
		}
		h.log.Error("expand soap: operation failed", "op", op.Name, "err", err)
		h.fault(w, &Fault{Code: FaultServer, String: "internal error"})
		return
	}
	if res.kind != op.Return {
		h.log.Error("expand soap: result type does not match the WSDL", "op", op.Name, "got", res.kind, "want", op.Return)
		h.fault(w, &Fault{Code: FaultServer, String: "internal error"})
		return
	}
	h.write(w, http.StatusOK, EncodeResponse(req.Style, req.Namespace, op.Name, res))
}

func (h *handler) fault(w http.ResponseWriter, f *Fault) {
	h.write(w, http.StatusInternalServerError, EncodeFault(f))
}

func (h *handler) write(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// wsdlQuery finds a "wsdl" query key in any letter case: "?wsdl" and
// "?WSDL" give rpc/encoded, "?wsdl=doclit" the document/literal WSDL.
func wsdlQuery(r *http.Request) (wsdl.Style, bool) {
	for k, vs := range r.URL.Query() {
		if !strings.EqualFold(k, "wsdl") {
			continue
		}
		for _, v := range vs {
			if strings.EqualFold(v, "doclit") {
				return wsdl.DocLiteral, true
			}
		}
		return wsdl.RPCEncoded, true
	}
	return wsdl.RPCEncoded, false
}

func (h *handler) serveWSDL(w http.ResponseWriter, r *http.Request, style wsdl.Style) {
	base := h.base
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if p := strings.ToLower(firstValue(r.Header.Get("X-Forwarded-Proto"))); p == "http" || p == "https" {
			scheme = p
		}
		host := firstValue(r.Header.Get("X-Forwarded-Host"))
		if host == "" {
			host = r.Host
		}
		if !validHost(host) {
			http.Error(w, "bad Host header", http.StatusBadRequest)
			return
		}
		base = scheme + "://" + host
	}
	doc, err := wsdl.Render(style, base+r.URL.EscapedPath())
	if err != nil {
		h.log.Error("expand soap: rendering the WSDL", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(doc)
	}
}

func firstValue(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// validHost accepts host[:port] made of the characters hostnames, IPv4 and
// bracketed IPv6 literals use, so a forged header cannot inject markup or
// a path into soap:address.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '-', c == ':', c == '[', c == ']', c == '_':
		default:
			return false
		}
	}
	return true
}
