package ucontact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/callgate/callgate/core"
)

// Agent status codes of the document (Asterisk device states).
const (
	stNotInUse    = 1
	stInUse       = 2
	stUnavailable = 5
	stRinging     = 6
	stOnHold      = 8
	stWrapUp      = 9
)

func agentStatus(a core.AgentLive) int {
	switch {
	case !a.LoggedIn:
		return stUnavailable
	case a.State == core.AgentRinging:
		return stRinging
	case a.State == core.AgentOnCall && a.OnHold:
		return stOnHold
	case a.State == core.AgentOnCall:
		return stInUse
	case a.State == core.AgentWrapUp:
		return stWrapUp
	}
	return stNotInUse
}

// dateReceived is Java's default date format of the document's answers.
func (h *handler) dateReceived() string { return h.eng.Now().Format("Jan 2, 2006 3:04:05 PM") }

func (h *handler) actionID() string {
	now := h.eng.Now()
	return fmt.Sprintf("%d_%d", now.Unix(), now.Nanosecond()/1e6%10000)
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

type summaryRow struct {
	Queue           string `json:"queue"`
	LoggedIn        int    `json:"loggedIn"`
	Available       int    `json:"available"`
	Callers         int    `json:"callers"`
	HoldTime        int    `json:"holdTime"`
	TalkTime        int    `json:"talkTime"`
	LongestHoldTime int    `json:"longestHoldTime"`
	ActionID        string `json:"internalActionId"`
	DateReceived    string `json:"dateReceived"`
}

type summaryEnd struct {
	ActionID     string `json:"internalActionId"`
	DateReceived string `json:"dateReceived"`
}

func (h *handler) queueSummary(w http.ResponseWriter, r *http.Request) {
	camps, err := h.eng.CampaignsLive(r.Context(), "", midnight(h.eng.Now()))
	if err != nil {
		fail(w, err)
		return
	}
	id, at := h.actionID(), h.dateReceived()
	out := make([]any, 0, len(camps)+1)
	for _, c := range camps {
		out = append(out, summaryRow{Queue: wireCampaign(c.Campaign), LoggedIn: c.LoggedIn, Available: c.Available, Callers: c.Callers,
			HoldTime: int(c.Stats.AvgWait + 0.5), TalkTime: int(c.Stats.AvgTalk + 0.5), LongestHoldTime: c.LongestWait,
			ActionID: id, DateReceived: at})
	}
	out = append(out, summaryEnd{ActionID: id, DateReceived: at})
	writeJSON(w, out)
}

type campaignRow struct {
	Campaign        string `json:"campaign"`
	Availables      int    `json:"availables"`
	NotAvailables   int    `json:"notavailables"`
	Paused          int    `json:"paused"`
	Busy            int    `json:"busy"`
	BusyPaused      int    `json:"busypaused"`
	TotalAgents     int    `json:"totalagents"`
	Logged          int    `json:"logged"`
	OnWrapUp        int    `json:"onwrapup"`
	Completed       int    `json:"completed"`
	Abandoned       int    `json:"abandoned"`
	Talked          string `json:"talked"`
	Hold            string `json:"hold"`
	AbandonedLevel  string `json:"abandonedlevel"`
	TotalCalls      int    `json:"totalcalls"`
	ACD             int    `json:"acd"`
	ServiceLevel    string `json:"servicelevel"`
	ServiceLevel2   string `json:"servicelevel2"`
	Strategy        string `json:"strategy"`
	SLevelThreshold string `json:"slevelthreshold"`
	WrapUp          int    `json:"wrapup"`
}

type agentRow struct {
	Queue          string `json:"queue"`
	Location       string `json:"location"`
	Membership     string `json:"membership"`
	Name           string `json:"name"`
	Penalty        int    `json:"penalty"`
	CallsTaken     int    `json:"callsTaken"`
	LastCall       int64  `json:"lastCall"`
	Status         int    `json:"status"`
	Paused         bool   `json:"paused"`
	StateInterface string `json:"stateinterface"`
	InCall         int    `json:"incall"`
	PausedReason   string `json:"pausedreason"`
	ActionID       string `json:"internalActionId"`
	DateReceived   string `json:"dateReceived"`
	Server         string `json:"server"`
}

// hms is the document's "00:00:00-0" duration (hours:minutes:seconds-count).
func hms(sec, n int) string {
	return fmt.Sprintf("%02d:%02d:%02d-%d", sec/3600, sec/60%60, sec%60, n)
}

func (h *handler) campaignStatus(w http.ResponseWriter, r *http.Request) {
	if !form(w, r) {
		return
	}
	name := coreCampaign(r.PostForm.Get("queue"))
	camps, err := h.eng.CampaignsLive(r.Context(), name, midnight(h.eng.Now()))
	if err != nil {
		fail(w, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	put := func(k string, v any) {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(marshal(k))
		buf.WriteByte(':')
		buf.Write(marshal(v))
	}
	now := h.eng.Now()
	id, at := h.actionID(), h.dateReceived()
	for _, c := range camps {
		st := c.Stats
		abandonedLevel, sl := "0", "0.0"
		if st.Offered > 0 {
			abandonedLevel = fmt.Sprintf("%d", st.Abandoned*100/st.Offered)
		}
		if st.Answered > 0 {
			sl = fmt.Sprintf("%.1f", st.ServiceLevelPct)
		}
		put(wireCampaign(c.Campaign), campaignRow{Campaign: wireCampaign(c.Campaign), Availables: c.Available, NotAvailables: c.NotAvailable, Paused: c.Paused,
			Busy: c.Busy, BusyPaused: c.BusyPaused, TotalAgents: c.TotalAgents, Logged: c.LoggedIn, OnWrapUp: c.OnWrapUp,
			Completed: st.Completed, Abandoned: st.Abandoned, Talked: hms(c.TalkSeconds, st.Completed),
			Hold: hms(int(st.AvgWait*float64(st.Answered)), st.Answered), AbandonedLevel: abandonedLevel, TotalCalls: st.Offered,
			ACD: st.Answered, ServiceLevel: sl, ServiceLevel2: sl, Strategy: string(c.Strategy),
			SLevelThreshold: fmt.Sprint(c.SLThreshold), WrapUp: c.WrapUp})
		if name == "" {
			continue
		}
		for _, a := range c.Agents {
			row := agentRow{Queue: wireCampaign(c.Campaign), Location: a.Interface, Name: a.Name, Penalty: a.Penalty, CallsTaken: a.CallsTaken,
				Status: agentStatus(a), Paused: a.Paused, StateInterface: a.Interface, ActionID: id, DateReceived: at}
			if a.LastCall != nil {
				row.LastCall = a.LastCall.Unix()
			}
			if a.State == core.AgentOnCall {
				row.InCall = 1
			}
			if a.Paused {
				row.PausedReason = "[" + a.PauseCode + "]"
			}
			if a.LoggedIn {
				d := int(now.Sub(a.Since) / time.Second)
				row.Server = fmt.Sprintf("%02d:%02d:%02d", d/3600, d/60%60, d%60)
			}
			put(a.Interface, row)
		}
	}
	buf.WriteByte('}')
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf.Bytes())
}

// writeJSON answers v as JSON with '<', '>' and '&' as they are: campaign
// names are "Ventas->" on uContact's wire, not "Ventas-\u003e".
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// marshal is json.Marshal without HTML escaping.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimRight(b.Bytes(), "\n")
}
