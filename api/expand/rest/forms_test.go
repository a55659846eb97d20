package rest

import (
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// An agent saves codigofeliz on a call of queue ope through the core; the
// document's form requests return it shaped as the document shows.
func TestFormEntriesComeFromSavedFormValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		call := core.Call{GUID: "55a6bc9a43564848ae433fecf3ec0a9115058400", UniqueID: "1505840001.827", LinkedID: "1505840001.827",
			Queue: "ope", Agent: "pperez", Recording: "audio_91662_1505840066.63", CreatedAt: testNow}
		if err := st.Create(e.ctx, &call); err != nil {
			t.Fatal(err)
		}
		form, err := e.eng.FormNamed(e.ctx, "ope")
		if err != nil {
			t.Fatal(err)
		}
		var field core.FormField
		if err := st.First(e.ctx, &field, core.Eq("form_id", form.ID).Eq("label", "codigofeliz")); err != nil {
			t.Fatal(err)
		}
		if err := e.eng.SaveFormData(e.ctx, call.ID, []core.FormEntry{{FormID: form.ID, FieldID: field.ID, Value: "NG1OWF917"}}); err != nil {
			t.Fatal(err)
		}
		ts := testNow.Format(isoMicro)
		entry := sprintf(`{"_id":"%08x%016x","agent":{"number":101,"username":"pperez"},"audio_filename":"audio_91662_1505840066.63","call_chunk":"55a6bc9a43564848ae433fecf3ec0a9115058400",`+
			`"data":{"codigofeliz":[{"label":"codigofeliz","value":"NG1OWF917"}]},"dynamic_form_id":%d,"extension":"","incomingcall_id":%d,`+
			`"last_modified_timestamp":"%s","queue":"ope","session_id":"1505840001.827","timestamp":"%s","uniqueid":"1505840001.827"}`,
			form.ID, call.ID, form.ID, call.ID, ts, ts)
		e.expect(e.call("GET", "external/dynamicforms/ope/entries", ""), 200, "["+entry+"]")
		e.expect(e.call("GET", sprintf("external/dynamicforms/ope/entries/%d", call.ID), ""), 200, entry)
		day := testNow.Format("2006-01-02")
		e.expect(e.call("GET", "external/dynamicforms/ope/entries?start_date="+day+"&end_date="+day, ""), 200, "["+entry+"]")
		next := testNow.Add(48 * time.Hour).Format("2006-01-02T15:04:05")
		e.expect(e.call("GET", "external/dynamicforms/ope/entries?start_date="+next, ""), 200, "[]")
		e.expect(e.call("GET", "external/dynamicforms/ope/entries/999999", ""), 404, notFound)
		e.expect(e.call("GET", "external/dynamicforms/nada/entries", ""), 404, notFound)
		e.expect(e.call("GET", "external/dynamicforms/ope/entries/x", ""), 400, badFormat)
		e.expect(e.call("GET", "external/dynamicforms/ope/entries?start_date=ayer", ""), 400, badFormat)
	})
}
