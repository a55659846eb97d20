package admin

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/callgate/callgate/core"
)

// settingsInput changes settings by name: a string sets the value, null
// puts the setting back to the dialect's default, names left out keep
// their values.
type settingsInput map[string]*string

// settingsRoutes serve dialect settings (core/settings.go): the system
// scope of a dialect, a campaign's, an agent's and a lead list's.
func (a *API) settingsRoutes() []route {
	const tag = "settings"
	doc := "Each entry shows the setting's kind, the dialect's default and the effective value (changed=false: the default)."
	put := "Body: {\"name\": \"value\" | null}. null restores the default. Unknown names or bad values refuse the whole change (400) and nothing is written."
	var rt []route
	for _, s := range []struct{ path, scope, what string }{
		{"/settings/{dialect}", core.ScopeSystem, "system"},
		{"/settings/{dialect}/campaigns/{campaign}", core.ScopeCampaign, "a campaign's"},
		{"/settings/{dialect}/users/{user}", core.ScopeUser, "an agent's"},
		{"/settings/{dialect}/lists/{list}", core.ScopeList, "a lead list's"},
	} {
		rt = append(rt,
			route{method: "GET", path: s.path, tag: tag, summary: "A dialect's " + s.what + " settings", doc: doc, resp: core.SettingValue{}, list: true, h: a.getSettings(s.scope)},
			route{method: "PUT", path: s.path, tag: tag, summary: "Change " + s.what + " settings of a dialect", doc: put, body: settingsInput{}, resp: core.SettingValue{}, list: true, h: a.putSettings(s.scope)},
		)
	}
	return rt
}

// settingsOwner is the campaign name, agent username or list id of the path.
func settingsOwner(r *http.Request, scope string) string {
	switch scope {
	case core.ScopeCampaign:
		return chi.URLParam(r, "campaign")
	case core.ScopeUser:
		return chi.URLParam(r, "user")
	case core.ScopeList:
		return chi.URLParam(r, "list")
	}
	return ""
}

func (a *API) getSettings(scope string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, err := a.rec.Settings().List(r.Context(), chi.URLParam(r, "dialect"), scope, settingsOwner(r, scope))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

func (a *API) putSettings(scope string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in settingsInput
		if err := decode(w, r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		out, err := a.rec.Settings().Set(r.Context(), chi.URLParam(r, "dialect"), scope, settingsOwner(r, scope), in)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}
