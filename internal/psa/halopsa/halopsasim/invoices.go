package halopsasim

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// invoice is a recurring invoice (Halo's InvoiceHeader) with its lines.
type invoice struct {
	ID         int    `json:"id"`
	ClientID   int    `json:"client_id"`
	ContractID int    `json:"contract_id"`
	Lines      []line `json:"lines,omitempty"`
}

// line is a recurring invoice line (Halo's InvoiceDetail). A line is
// billed from startdate to enddate when they are set.
type line struct {
	ID          int      `json:"id"`
	IHID        int      `json:"ihid"`
	ItemID      int      `json:"_itemid"`
	Description string   `json:"item_shortdescription"`
	Qty         float64  `json:"qty_order"`
	UnitPrice   float64  `json:"unit_price"`
	UnitCost    float64  `json:"unit_cost"`
	StartDate   haloTime `json:"startdate"`
	EndDate     haloTime `json:"enddate"`
	ContractID  int      `json:"contract_id"`
}

// getInvoices lists recurring invoices; lines only with includelines.
func (s *Sim) getInvoices(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	cid, byClient := l.num("client_id")
	kid, byContract := l.num("contract_id")
	var out []invoice
	for _, inv := range s.invoices {
		switch {
		case id != "" && strconv.Itoa(inv.ID) != id:
		case byClient && inv.ClientID != cid, byContract && inv.ContractID != kid:
		default:
			cp := *inv
			if id == "" && !l.flag("includelines") {
				cp.Lines = nil
			}
			cp.Lines = slices.Clone(cp.Lines)
			out = append(out, cp)
		}
	}
	if id != "" {
		answerOne(s, w, id, "Recurring Invoice", out)
		return
	}
	writeList(w, l, "invoices", out, 1000)
}

// postInvoices creates recurring invoices (with their lines) or updates
// one's contract.
func (s *Sim) postInvoices(w http.ResponseWriter, r *http.Request, _ *caller) {
	recs, err := readArray(r)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var saved []invoice
	for _, rc := range recs {
		inv, code, err := s.stageInvoice(rc)
		if err != nil {
			s.fail(w, code, err.Error())
			return
		}
		saved = append(saved, *inv)
	}
	answerSaved(w, saved)
}

// stageInvoice saves one header record. Callers hold mu.
func (s *Sim) stageInvoice(rc record) (*invoice, int, error) {
	id, _, err := rc.int("id")
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	inv := &invoice{}
	if id > 0 {
		if inv = s.invoice(id); inv == nil {
			return nil, http.StatusNotFound, badf("Recurring Invoice %d not found", id)
		}
	}
	for key, dst := range map[string]*int{"client_id": &inv.ClientID, "contract_id": &inv.ContractID} {
		if v, ok, err := rc.int(key); err != nil {
			return nil, http.StatusBadRequest, err
		} else if ok {
			*dst = v
		}
	}
	if s.client(inv.ClientID) == nil {
		return nil, http.StatusBadRequest, badf("Client %d is not valid", inv.ClientID)
	}
	if inv.ContractID != 0 && !slices.ContainsFunc(s.contracts, func(k contract) bool { return k.ID == inv.ContractID && k.ClientID == inv.ClientID }) {
		return nil, http.StatusBadRequest, badf("Contract %d is not valid for this Client", inv.ContractID)
	}
	if id == 0 {
		inv.ID = s.id("invoice")
		s.invoices = append(s.invoices, inv)
	}
	if rc.has("lines") {
		var lines []record
		if err := unmarshalRecords(rc["lines"], &lines); err != nil {
			return nil, http.StatusBadRequest, err
		}
		for _, lr := range lines {
			lr["ihid"] = []byte(strconv.Itoa(inv.ID))
			if _, code, err := s.stageLine(lr); err != nil {
				return nil, code, err
			}
		}
	}
	return inv, 0, nil
}

// postInvoiceLines is /RecurringInvoice/updatelines: lines without id are
// added to invoice ihid, lines with id change only the fields they carry.
func (s *Sim) postInvoiceLines(w http.ResponseWriter, r *http.Request, _ *caller) {
	recs, err := readArray(r)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var saved []line
	for _, rc := range recs {
		l, code, err := s.stageLine(rc)
		if err != nil {
			s.fail(w, code, err.Error())
			return
		}
		saved = append(saved, l)
	}
	answerSaved(w, saved)
}

// stageLine saves one line record. Callers hold mu.
func (s *Sim) stageLine(rc record) (line, int, error) {
	ihid, _, err := rc.int("ihid")
	if err != nil {
		return line{}, http.StatusBadRequest, err
	}
	inv := s.invoice(ihid)
	if inv == nil {
		return line{}, http.StatusBadRequest, badf("Recurring Invoice %d is not valid", ihid)
	}
	id, _, err := rc.int("id")
	if err != nil {
		return line{}, http.StatusBadRequest, err
	}
	l := &line{IHID: ihid, ContractID: inv.ContractID}
	if id > 0 {
		i := slices.IndexFunc(inv.Lines, func(x line) bool { return x.ID == id })
		if i < 0 {
			return line{}, http.StatusNotFound, badf("Line %d not found", id)
		}
		l = &inv.Lines[i]
	}
	cp := *l
	if err := applyLine(&cp, rc); err != nil {
		return line{}, http.StatusBadRequest, err
	}
	if !slices.ContainsFunc(s.items, func(it item) bool { return it.ID == cp.ItemID }) {
		return line{}, http.StatusBadRequest, badf("Item %d is not valid", cp.ItemID)
	}
	if id > 0 {
		*l = cp
		return cp, 0, nil
	}
	cp.ID = s.id("line")
	inv.Lines = append(inv.Lines, cp)
	return cp, 0, nil
}

func applyLine(l *line, rc record) error {
	if v, ok, err := rc.int("_itemid"); err != nil {
		return err
	} else if ok {
		l.ItemID = v
	}
	for key, dst := range map[string]*float64{"qty_order": &l.Qty, "unit_price": &l.UnitPrice, "unit_cost": &l.UnitCost} {
		if v, ok, err := rc.num(key); err != nil {
			return err
		} else if ok {
			*dst = v
		}
	}
	if v, ok, err := rc.str("item_shortdescription"); err != nil {
		return err
	} else if ok {
		l.Description = v
	}
	for key, dst := range map[string]*haloTime{"startdate": &l.StartDate, "enddate": &l.EndDate} {
		v, ok, err := rc.str(key)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		at, good := parseTime(v)
		if !good && v != "" {
			return badf("Error converting value \"%s\" to type 'System.DateTime'. Path '%s'", v, key)
		}
		*dst = haloTime(at)
	}
	return nil
}

// invoice returns the recurring invoice with id, or nil. Callers hold mu.
func (s *Sim) invoice(id int) *invoice {
	for _, inv := range s.invoices {
		if inv.ID == id {
			return inv
		}
	}
	return nil
}

// seedInvoices gives Acme's contract a recurring invoice with one line.
func (s *Sim) seedInvoices(now time.Time) {
	inv := &invoice{ID: s.id("invoice"), ClientID: 2, ContractID: 1}
	inv.Lines = []line{{ID: s.id("line"), IHID: inv.ID, ItemID: 3, Description: "Managed Security Base Fee", Qty: 1,
		UnitPrice: 250, UnitCost: 100, ContractID: 1, StartDate: haloTime(now.AddDate(-1, 0, 0).Truncate(24 * time.Hour))}}
	s.invoices = append(s.invoices, inv)
}
