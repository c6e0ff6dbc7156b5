package halopsasim

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestRecurringInvoiceLines(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.token()
	var list struct {
		RecordCount int `json:"record_count"`
		Invoices    []struct {
			ID    int               `json:"id"`
			Lines []json.RawMessage `json:"lines"`
		} `json:"invoices"`
	}
	e.ok("GET", "/api/RecurringInvoice?contract_id=1", tok, "", &list)
	if list.RecordCount != 1 || len(list.Invoices[0].Lines) != 0 {
		t.Fatalf("invoices of contract 1 without includelines: %+v, want one, without lines", list)
	}
	e.ok("GET", "/api/RecurringInvoice?contract_id=1&includelines=true", tok, "", &list)
	if len(list.Invoices[0].Lines) != 1 {
		t.Fatalf("with includelines: %d lines, want the seed's 1", len(list.Invoices[0].Lines))
	}
	ihid := list.Invoices[0].ID
	var added struct {
		ID  int     `json:"id"`
		Qty float64 `json:"qty_order"`
	}
	e.ok("POST", "/api/RecurringInvoice/UpdateLines", tok, `[{"ihid":`+strconv.Itoa(ihid)+`,"_itemid":1,"qty_order":0,"unit_price":5.5,"unit_cost":2}]`, &added)
	var changed map[string]any
	e.ok("POST", "/api/RecurringInvoice/updatelines", tok, `[{"id":`+strconv.Itoa(added.ID)+`,"ihid":`+strconv.Itoa(ihid)+`,"qty_order":4}]`, &changed)
	if changed["qty_order"] != float64(4) || changed["unit_price"] != 5.5 || changed["_itemid"] != float64(1) {
		t.Errorf("partial line update: %v; want qty 4 and the rest kept", changed)
	}
	code, body := e.do("POST", "/api/RecurringInvoice/updatelines", tok, `[{"ihid":999,"_itemid":1}]`)
	if code != 400 || !strings.Contains(string(body), "Recurring Invoice 999 is not valid") {
		t.Errorf("line on an unknown invoice: %d %s", code, body)
	}
	code, body = e.do("POST", "/api/RecurringInvoice", tok, `[{"client_id":3,"contract_id":1}]`)
	if code != 400 || !strings.Contains(string(body), "Contract 1 is not valid") {
		t.Errorf("invoice for another client's contract: %d %s", code, body)
	}
}
