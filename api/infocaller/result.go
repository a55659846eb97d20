package infocaller

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"

	"github.com/callgate/callgate/core"
)

type format int

const (
	formatJSON format = iota
	formatXML
)

// result is the document's Resultado code.
type result int

const (
	resultAccepted     result = 0
	resultBadIdent     result = -1
	resultNoIdent      result = -2
	resultFormat       result = -3
	resultNoParam      result = -99
	resultInternal     result = -100
	resultBadSignature result = 1
	resultBadLine      result = 2
	resultLineOff      result = 3
	resultBadWhen      result = 4
	resultBadPhone     result = 5
	resultBadWait      result = 6
	resultBadRetries   result = 7
	resultBadRuleGroup result = 8
	resultSuspended    result = 10
	resultNoBalance    result = 11
	resultNoCredit     result = 12
	resultNoRule       result = 13
	resultTooMany      result = 14
)

// resultText is the document's table, word for word.
var resultText = map[result]string{
	resultAccepted:     "Aceptada",
	resultBadIdent:     "Identificación no correcta",
	resultNoIdent:      "Identificación no indicada",
	resultFormat:       "Formato XML no correcto",
	resultNoParam:      "No se recibe el parámetro XML",
	resultInternal:     "Error interno",
	resultBadSignature: "Firma no correcta",
	resultBadLine:      "Línea infocaller no válida",
	resultLineOff:      "Línea infocaller apagada",
	resultBadWhen:      "Fecha/Hora no válida",
	resultBadPhone:     "Teléfono no válido",
	resultBadWait:      "Valor Esperamax no válido",
	resultBadRetries:   "Valor reintentos no válido",
	resultBadRuleGroup: "Grupo de reglas no existe o no es válido",
	resultSuspended:    "Línea suspendida",
	resultNoBalance:    "Saldo insuficiente",
	resultNoCredit:     "Límite de crédito excedido",
	resultNoRule:       "Ninguna regla válida en el grupo de reglas",
	resultTooMany:      "Excedido número máximo de emisión de llamadas. Contactar con Atención al Cliente.",
}

// opResult is the one table from core errors to Resultado.
var opResult = map[string]result{
	core.OpLineUnknown:   resultBadLine,
	core.OpLineSignature: resultBadSignature,
	core.OpLineOff:       resultLineOff,
	core.OpLineSuspended: resultSuspended,
	core.OpLineWhen:      resultBadWhen,
	core.OpLinePhone:     resultBadPhone,
	core.OpLineWait:      resultBadWait,
	core.OpLineRetries:   resultBadRetries,
	core.OpLineRuleGroup: resultBadRuleGroup,
	core.OpLineNoRule:    resultNoRule,
	core.OpLineCapacity:  resultTooMany,
	core.OpLineBalance:   resultNoBalance,
	core.OpLineCredit:    resultNoCredit,
}

func resultFor(err error) result {
	var ce *core.Error
	if errors.As(err, &ce) && ce.Code != core.EINTERNAL {
		if r, ok := opResult[ce.Op]; ok {
			return r
		}
	}
	return resultInternal
}

type answer struct {
	XMLName        xml.Name `json:"-" xml:"callRequest"`
	IDCall         string   `json:"idcall" xml:"idcall"`
	Resultado      string   `json:"Resultado" xml:"Resultado"`
	ResultadoTexto string   `json:"ResultadoTexto" xml:"ResultadoTexto"`
}

// writeResult answers 200 with the callRequest document, as the original
// does for accepted and refused requests alike.
func writeResult(w http.ResponseWriter, f format, id string, r result) {
	a := answer{IDCall: id, Resultado: strconv.Itoa(int(r)), ResultadoTexto: resultText[r]}
	if f == formatJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		b, _ := json.Marshal(struct {
			CallRequest answer `json:"callRequest"`
		}{a})
		_, _ = w.Write(append(b, '\n'))
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	b, _ := xml.MarshalIndent(a, "", "  ")
	_, _ = w.Write([]byte("<?xml version='1.0'?>\n"))
	_, _ = w.Write(append(b, '\n'))
}
