package main

import (
	"github.com/go-chi/chi/v5"

	"github.com/callgate/callgate/api/expand/backend"
	"github.com/callgate/callgate/api/expand/soap"
)

// expandSOAPPaths are where eXpand's apiws.php lives; /apiws/1/ is the path
// the one public caller uses for sendSms.
var expandSOAPPaths = []string{"/apiws/2/apiws.php", "/apiws/1/apiws.php"}

// mountExpand serves eXpand's SOAP webservices. The handler bounds its own
// body (soap.DefaultLimits) so that an oversized request is answered with a
// SOAP fault, which is why limitBody lets these paths through.
func (g *gateway) mountExpand(r chi.Router) {
	log := g.log.With("component", "expand-soap")
	h := soap.NewHandler(soap.NewOperations(g.eng, log), soap.Options{Logger: log})
	for _, p := range expandSOAPPaths {
		r.Handle(p, h)
	}
	// The customer's backend webservices (getCallerIDName, pushAgentInfo,
	// IVRCode), configured by the expand dialect settings.
	bk := backend.New(g.eng, g.log.With("component", "expand-backend"))
	bk.Start()
	g.closers = append(g.closers, bk)
}

// ownsBodyLimit is whether the handler at path p bounds its own body.
func ownsBodyLimit(p string) bool {
	for _, q := range expandSOAPPaths {
		if p == q {
			return true
		}
	}
	return false
}
