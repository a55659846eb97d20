package admin

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// openapiJSON is generated from the route table by `go test ./api/admin
// -run TestOpenAPIDocumentIsUpToDate -update` and checked in, so the served
// document is a reviewable file and a test fails when a route changes
// without it.
//
//go:embed openapi.json
var openapiJSON []byte

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openapiJSON)
}

// OpenAPI returns the embedded document.
func OpenAPI() []byte { return append([]byte(nil), openapiJSON...) }

var pathParam = regexp.MustCompile(`\{([A-Za-z]+)\}`)

// GenerateOpenAPI builds the OpenAPI 3 document of the route table.
func GenerateOpenAPI() ([]byte, error) {
	a := New(Options{})
	g := &schemaGen{components: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, rt := range a.routes {
		op := map[string]any{
			"summary":     rt.summary,
			"tags":        []string{rt.tag},
			"operationId": operationID(rt.method, rt.path),
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			schema := map[string]any{"type": "integer", "minimum": 1}
			if stringParams[m[1]] {
				schema = map[string]any{"type": "string"}
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": schema})
		}
		for _, q := range rt.query {
			schema := map[string]any{"type": "string"}
			switch q {
			case "limit":
				schema = map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit}
			case "offset":
				schema = map[string]any{"type": "integer", "minimum": 0}
			case "since", "until":
				schema = map[string]any{"type": "string", "format": "date-time"}
			}
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": schema})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.doc != "" {
			op["description"] = rt.doc
		}
		if rt.body != nil {
			op["requestBody"] = map[string]any{
				"required": !rt.optional,
				"content":  map[string]any{"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(rt.body))}},
			}
		}
		status := rt.status
		if status == 0 {
			status = http.StatusOK
		}
		responses := map[string]any{}
		if len(rt.binary) > 0 {
			content := map[string]any{}
			for _, ct := range rt.binary {
				content[ct] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
			}
			responses[itoa(status)] = map[string]any{"description": "Success", "content": content}
		} else if rt.resp == nil {
			if rt.path == "/openapi.json" {
				responses["200"] = map[string]any{"description": "OpenAPI 3 document",
					"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
			} else {
				responses["204"] = map[string]any{"description": "Done"}
			}
		} else {
			schema := g.ref(reflect.TypeOf(rt.resp))
			if rt.list {
				schema = map[string]any{"type": "array", "items": schema}
			}
			responses[itoa(status)] = map[string]any{"description": "Success",
				"content": map[string]any{"application/json": map[string]any{"schema": schema}}}
		}
		errRef := map[string]any{"$ref": "#/components/responses/Error"}
		if !rt.public {
			responses["401"] = errRef
			responses["500"] = errRef
			if rt.body != nil || len(rt.query) > 0 {
				responses["400"] = errRef
			}
			if strings.Contains(rt.path, "{") {
				responses["404"] = errRef
			}
			if rt.method != "GET" {
				responses["409"] = errRef
			}
		}
		op["responses"] = responses
		if rt.public {
			op["security"] = []any{}
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	g.components["Error"] = map[string]any{
		"type":       "object",
		"required":   []string{"error"},
		"properties": map[string]any{"error": map[string]any{"type": "string"}},
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "Callgate admin API",
			"version": "1.0.0",
			"description": "Provisioning and operations API of the Callgate gateway. Every request but this " +
				"document carries `Authorization: Bearer <admin.token>`. Errors are JSON `{\"error\": \"...\"}`: " +
				"400 malformed JSON, unknown fields or missing required fields; 401 bad token; 404 unknown ids; " +
				"409 duplicate keys or a live state that forbids the operation. PUT and PATCH merge the body onto " +
				"the stored record. Secrets (password, eccp_password, phone_pass, secret) are write-only. " +
				"The /sim endpoints exist only in demo mode (simulated PBX).",
		},
		"servers":  []any{map[string]any{"url": "/api/v1"}},
		"security": []any{map[string]any{"bearerAuth": []string{}}},
		"paths":    paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearerAuth": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas":         g.components,
			"responses": map[string]any{"Error": map[string]any{
				"description": "Error",
				"content": map[string]any{"application/json": map[string]any{
					"schema": map[string]any{"$ref": "#/components/schemas/Error"}}},
			}},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func operationID(method, path string) string {
	var sb strings.Builder
	sb.WriteString(strings.ToLower(method))
	for _, part := range strings.Split(path, "/") {
		part = strings.Trim(part, "{}")
		part = strings.NewReplacer(".", "", "-", "").Replace(part)
		if part == "" {
			continue
		}
		r := []rune(part)
		r[0] = unicode.ToUpper(r[0])
		sb.WriteString(string(r))
	}
	return sb.String()
}

type schemaGen struct {
	components map[string]any
}

var timeType = reflect.TypeOf(time.Time{})

func componentName(t reflect.Type) string {
	n := []rune(t.Name())
	n[0] = unicode.ToUpper(n[0])
	return string(n)
}

// ref returns a $ref to a named struct (adding its component) or an inline
// schema for anything else.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && t != timeType && t.Name() != "" {
		name := componentName(t)
		if _, done := g.components[name]; !done {
			g.components[name] = map[string]any{} // break cycles
			g.components[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return g.inline(t)
}

func (g *schemaGen) inline(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		s := g.inline(t.Elem())
		if _, isRef := s["$ref"]; !isRef {
			s["nullable"] = true
		}
		return s
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if t.PkgPath() == "time" { // time.Duration is marshalled as nanoseconds
			return map[string]any{"type": "integer", "format": "int64"}
		}
		return map[string]any{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.ref(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.ref(t.Elem())}
	case reflect.Struct:
		return g.ref(t)
	}
	return map[string]any{}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	g.fields(t, props)
	return map[string]any{"type": "object", "properties": props}
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			et := f.Type
			for et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				g.fields(et, props)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, shadowed := props[name]; shadowed {
			continue
		}
		props[name] = g.inline(f.Type)
	}
}

// stringParams are path parameters that are names, not numeric ids.
var stringParams = map[string]bool{"channelID": true, "dialect": true, "campaign": true, "user": true}
