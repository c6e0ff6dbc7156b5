package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// apiCall sends a JSON body with the admin token and decodes the answer.
func (e *env) apiCall(method, path string, body any, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.BaseURL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}

// apiSettings is the demo settings as the API takes them: JSON, with
// the secrets as credentials rather than env references.
func apiSettings(t *testing.T, e *env) (map[string]any, map[string]string) {
	t.Helper()
	docs, err := integration.Decode(strings.NewReader(e.DefaultSettings()))
	if err != nil {
		t.Fatal(err)
	}
	s := docs[0]
	s.Connection.URL = e.SimURL
	creds := map[string]string{}
	for name, ref := range s.Connection.SecretRefs() {
		if ref.Env != "" {
			creds[name] = e.Getenv(ref.Env)
			*ref = integration.SecretRef{}
		}
	}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m, creds
}

type planAnswer struct {
	Name     string   `json:"name"`
	Created  bool     `json:"created"`
	Changes  []string `json:"changes"`
	Warnings []string `json:"warnings"`
	Applied  bool     `json:"applied"`
	Errors   []struct {
		Field, Reason string
	} `json:"errors"`
	Detail string `json:"detail"`
}

// TestIntegrationsOverREST: the API writes integrations with apply's
// semantics on every PSA: a dry run plans and writes nothing, PUT
// creates, the same PUT again changes nothing, PATCH changes one value,
// bad names come back naming the field with the nearest valid name,
// secrets are write-only, env references are refused, test connection
// and picklists read the PSA, and export then apply of what the API
// wrote changes nothing.
func TestIntegrationsOverREST(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			e := start(t, "", func(o *demo.Options) { o.PSA, o.SkipApply = p, true })
			settings, creds := apiSettings(t, e)
			name, _ := settings["name"].(string)
			path := "/api/v1/integrations/" + name

			var plan planAnswer
			if code := e.apiCall("PUT", path+"?dry_run=1", map[string]any{"settings": settings, "credentials": creds}, &plan); code != http.StatusOK || !plan.Created || plan.Applied || len(plan.Changes) == 0 {
				t.Fatalf("dry run: %d %+v", code, plan)
			}
			if code := e.apiCall("GET", path, nil, nil); code != http.StatusNotFound {
				t.Fatalf("after a dry run GET %s = %d, want 404", path, code)
			}
			plan = planAnswer{}
			if code := e.apiCall("PUT", path, map[string]any{"settings": settings, "credentials": creds}, &plan); code != http.StatusCreated || !plan.Applied {
				t.Fatalf("PUT: %d %+v", code, plan)
			}
			var stored map[string]any
			e.apiCall("GET", path, nil, &stored)
			if raw, _ := json.Marshal(stored); strings.Contains(string(raw), creds[firstKey(creds)]) {
				t.Fatalf("GET shows a secret: %s", raw)
			}
			plan = planAnswer{}
			if code := e.apiCall("PUT", path, map[string]any{"settings": settings}, &plan); code != http.StatusOK || plan.Applied || len(plan.Changes) != 0 {
				t.Errorf("the same PUT again, credentials kept from the store: %d %+v; want no changes", code, plan)
			}

			plan = planAnswer{}
			patch := map[string]any{"settings": map[string]any{"ticket": map[string]any{"queue": "Secuirty"}}}
			if code := e.apiCall("PATCH", path, patch, &plan); code != http.StatusUnprocessableEntity || len(plan.Errors) != 1 ||
				plan.Errors[0].Field != "settings.ticket.queue" || !strings.Contains(plan.Errors[0].Reason, `did you mean "Security"`) {
				t.Errorf("PATCH with a misspelt queue: %d %+v", code, plan)
			}
			plan = planAnswer{}
			patch = map[string]any{"settings": map[string]any{"notes": map[string]any{"title": "Seen again: {{.Type}}"}}}
			if code := e.apiCall("PATCH", path, patch, &plan); code != http.StatusOK || !plan.Applied || len(plan.Changes) != 1 || !strings.HasPrefix(plan.Changes[0], "~ notes.title") {
				t.Errorf("PATCH of one value: %d %+v", code, plan)
			}

			withEnv := map[string]any{}
			for k, v := range settings {
				withEnv[k] = v
			}
			conn, _ := withEnv["connection"].(map[string]any)
			conn[firstKey(creds)] = map[string]any{"env": "HOME"}
			plan = planAnswer{}
			if code := e.apiCall("PUT", path, map[string]any{"settings": withEnv}, &plan); code != http.StatusBadRequest || len(plan.Errors) == 0 || !strings.Contains(plan.Errors[0].Reason, "over the API send the value") {
				t.Errorf("PUT with an env reference: %d %+v", code, plan)
			}
			delete(conn, firstKey(creds))

			var ok map[string]any
			if code := e.apiCall("POST", path+"/test", nil, &ok); code != http.StatusOK || ok["ok"] != true {
				t.Errorf("test connection: %d %v", code, ok)
			}
			wrong := map[string]string{}
			for k := range creds {
				wrong[k] = "not-the-secret"
			}
			plan = planAnswer{}
			if code := e.apiCall("POST", path+"/test", map[string]any{"settings": settings, "credentials": wrong}, &plan); code != http.StatusBadGateway {
				t.Errorf("test connection with wrong credentials: %d %+v, want 502", code, plan)
			}
			var lists struct {
				Picklists map[string][]struct{ Label string } `json:"picklists"`
			}
			if code := e.apiCall("GET", path+"/picklists", nil, &lists); code != http.StatusOK || !hasLabel(lists.Picklists["queue"], "Security") {
				t.Errorf("picklists: %d, queue %v", code, lists.Picklists["queue"])
			}

			out, err := e.App.Export(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			lines, err := e.Apply(context.Background(), string(out))
			if err != nil || len(lines) != 0 {
				t.Errorf("apply of the export of what the API wrote: %v, changes %v; want none", err, lines)
			}
		})
	}
}

func firstKey(m map[string]string) string {
	best := ""
	for k := range m {
		if best == "" || k < best {
			best = k
		}
	}
	return best
}

func hasLabel(vs []struct{ Label string }, label string) bool {
	for _, v := range vs {
		if v.Label == label {
			return true
		}
	}
	return false
}
