package admin

import (
	"context"
	"net/http"

	"github.com/callgate/callgate/core"
)

// apiKeyInput asks for an API key (a credential that is one secret, such as
// eXpand's authorizedKey); Key empty generates one.
type apiKeyInput struct {
	Dialect     string `json:"dialect"`
	Description string `json:"description"`
	Key         string `json:"key,omitempty"`
}

// apiKeyCreated shows the key once: only its hash is stored.
type apiKeyCreated struct {
	Key  string       `json:"key"`
	User core.APIUser `json:"api_user"`
}

type keyMaker interface {
	NewAPIKey(ctx context.Context, dialect, description, key string) (string, core.APIUser, error)
}

func (a *API) apiKeyRoutes() []route {
	return []route{{method: "POST", path: "/apikeys", tag: "credentials", summary: "Create an API key (eXpand authorizedKey): shown once",
		doc:  "The answer carries the key in clear, once; the store keeps only its hash. The key is an /apiusers row (username = sha256 hex of the key) to list, describe or deactivate.",
		body: apiKeyInput{}, resp: apiKeyCreated{}, status: http.StatusCreated, h: a.newAPIKey}}
}

func (a *API) newAPIKey(w http.ResponseWriter, r *http.Request) {
	var in apiKeyInput
	km, ok := a.eng.(keyMaker)
	if !ok {
		a.fail(w, r, &httpError{status: http.StatusNotImplemented, msg: "API keys are not available"})
		return
	}
	if err := decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	key, u, err := km.NewAPIKey(r.Context(), in.Dialect, in.Description, in.Key)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiKeyCreated{Key: key, User: u})
}
