package core

import (
	"context"
	"strings"
)

// EndpointForExtension finds the PBX endpoint provisioned for a dial
// extension, as a PBX's device table does (FreePBX devices: id → dial):
// a provisioned phone with that extension, else an agent whose own
// endpoint is that extension. An extension nobody provisioned is
// ENOTFOUND, so a console cannot log an agent in on a phone that does
// not exist.
func (e *Engine) EndpointForExtension(ctx context.Context, ext string) (string, error) {
	if ext == "" {
		return "", Errorf(ENOTFOUND, "extension")
	}
	var p Phone
	if err := e.store.First(ctx, &p, Eq("extension", ext)); err == nil {
		return p.Endpoint(), nil
	}
	for _, a := range e.Agents() {
		if i := strings.IndexByte(a.Extension, '/'); i > 0 && a.Extension[i+1:] == ext {
			return a.Extension, nil
		}
	}
	return "", Errorf(ENOTFOUND, "extension %s", ext)
}
