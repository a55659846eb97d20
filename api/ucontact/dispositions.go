package ucontact

import (
	"net/http"
	"strings"

	"github.com/callgate/callgate/core"
)

// The document's 400 texts of DispositionCall.
const (
	errNoCampaign   = "Parâmetros errados: Campanha vazia"
	errNoCallerID   = "Parâmetros errados: Callerid vazio"
	errNoGUID       = "Parâmetros errados: guid vazio"
	errNoAgent      = "Parâmetros errados: Agente vazio"
	errNoLevel1     = "Parâmetros errados: Valor vazio1"
	errBadSchedule  = "O formato da data da programação não está bem formado: El formato de la fecha tiene que ser yyyy-MM-dd HH:mm:ss"
	errNoSchedule   = "Parâmetros incorretos: Data da programação vazia."
	dispoNotFoundFm = "Disposição não encontrada para o nível1: %s, level2: %s, nível3: %s"
)

func (h *handler) dispositionCall(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	v := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	for _, req := range []struct{ field, text string }{
		{"campaign", errNoCampaign}, {"callerid", errNoCallerID}, {"guid", errNoGUID}, {"agent", errNoAgent}, {"l1", errNoLevel1},
	} {
		if v(req.field) == "" {
			writeText(w, http.StatusBadRequest, req.text)
			return
		}
	}
	req := core.ClassifyRequest{Campaign: coreCampaign(v("campaign")), Agent: v("agent"), Phone: v("callerid"), CallGUID: v("guid"),
		Levels: []string{v("l1"), v("l2"), v("l3")}, Data1: r.PostForm.Get("d1"), Data2: r.PostForm.Get("d2"),
		Comment: r.PostForm.Get("comment"), Tag: r.PostForm.Get("tag"), RescheduleCampaign: coreCampaign(v("camptoreschedule"))}
	if s := v("schedule"); s != "" {
		t, err := parseDate(s)
		if err != nil {
			writeText(w, http.StatusBadRequest, errBadSchedule)
			return
		}
		req.Schedule = &t
	}
	res, err := h.eng.ClassifyCall(r.Context(), req)
	if err != nil {
		h.dispositionError(w, req, err)
		return
	}
	writeJSON(w, map[string]string{"Result": "ok", "txtcode": res.Disposition.Code})
}

func (h *handler) dispositionError(w http.ResponseWriter, req core.ClassifyRequest, err error) {
	var ce *core.Error
	switch {
	case asError(err, &ce) && ce.Op == "DispositionPath" && ce.Code == core.ENOTFOUND:
		writeText(w, http.StatusBadRequest, sprintf(dispoNotFoundFm, req.Levels[0], req.Levels[1], req.Levels[2]))
	case asError(err, &ce) && ce.Op == "ClassifyCall" && ce.Message == "schedule date required":
		writeText(w, http.StatusBadRequest, errNoSchedule)
	case core.ErrorCode(err) == core.EINTERNAL || core.ErrorCode(err) == core.EUNAVAILABLE:
		writeText(w, statusOf(err), "Erro: "+core.ErrorMessage(err))
	default:
		writeText(w, http.StatusBadRequest, "Parâmetros errados: "+core.ErrorMessage(err))
	}
}
