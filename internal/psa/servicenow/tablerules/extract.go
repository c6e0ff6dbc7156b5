// Package tablerules holds the Table API rules a ServiceNow request must
// keep, as the notes in psa-apis/servicenow.md state them: which tables
// and fields exist, which sysparm_* parameters, methods and query
// operators there are. Extract reads them from the notes (ServiceNow
// publishes no OpenAPI file); Check holds one request to them. The
// connector's spec test checks every request it sends.
package tablerules

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
)

// Rules is the compact extract the spec test reads from testdata.
type Rules struct {
	// Source names the notes and their hash, so a changed file shows.
	Source string `json:"source"`
	SHA256 string `json:"sha256"`
	// Tables maps each table the notes name to the fields they give it.
	Tables map[string][]string `json:"tables"`
	// Common are the system fields every record has.
	Common []string `json:"common"`
	// Sysparm are the sysparm_* parameters.
	Sysparm []string `json:"sysparm"`
	// Operators are the encoded-query operators.
	Operators []string `json:"operators"`
	// Collection and Record are the methods of each kind of URL.
	Collection []string `json:"collection_methods"`
	Record     []string `json:"record_methods"`
}

var (
	ident     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	backticks = regexp.MustCompile("`([^`]+)`")
	jsonKey   = regexp.MustCompile(`"([a-z][a-z0-9_]*)"\s*:`)
	sysparm   = regexp.MustCompile(`sysparm_[a-z_]+`)
	tableURL  = regexp.MustCompile(`/api/now/table/([a-z_]+)(\?[^` + "`" + `\s|]*)?`)
	recordURL = regexp.MustCompile(`\.\.\./([a-z_]+)/<sys_id>`)
	// "`T` (`a, b`)", "`T` (fields `a, b`)" and "`T`: `a, b (ref), c`"
	fieldList = regexp.MustCompile("`([a-z_]+)`(?: \\((?:fields )?|: )`([a-z_, ()]+)`")
	// "`T` fields: `a` (..), `b`, ... |"
	fieldWords = regexp.MustCompile("`([a-z_]+)` fields: ([^|]*)")
	// "Rows: `a, b`, `c` ..." in a row about table T.
	rowsList = regexp.MustCompile("Rows: ([^|]*)")
	queryOp  = regexp.MustCompile(`^([a-z_]+)(?:=|!=|IN|LIKE|>=|<=|>|<)`)
)

// Extract reads the rules from the notes' text.
func Extract(notes []byte) Rules {
	text := string(notes)
	sum := sha256.Sum256(notes)
	r := Rules{Source: "psa-apis/servicenow.md", SHA256: hex.EncodeToString(sum[:]), Tables: map[string][]string{}}
	fields := map[string]map[string]bool{}
	add := func(table string, names ...string) {
		if fields[table] == nil {
			fields[table] = map[string]bool{}
		}
		for _, n := range names {
			n = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(n), "(ref)"))
			if ident.MatchString(n) {
				fields[table][n] = true
			}
		}
	}
	for _, t := range servedTables(text) {
		add(t)
	}
	tables := servedTables(text)
	for _, b := range blocksOf(text) {
		for _, m := range fieldList.FindAllStringSubmatch(b, -1) {
			add(m[1], strings.Split(m[2], ",")...)
		}
		for _, m := range fieldWords.FindAllStringSubmatch(b, -1) {
			add(m[1], inner(sentence(m[2]))...)
		}
		urls := tableURL.FindAllStringSubmatch(b, -1)
		for _, m := range urls {
			add(m[1], urlFields(m[2])...)
		}
		if len(urls) > 0 {
			if m := rowsList.FindStringSubmatch(b); m != nil {
				add(urls[0][1], splitAll(inner(sentence(m[1])))...)
			}
		}
		for _, m := range recordURL.FindAllStringSubmatch(b, -1) {
			add(m[1], keys(b)...)
		}
		for _, m := range urls {
			if strings.Contains(b, "POST /api/now/table/"+m[1]) {
				add(m[1], keys(b)...)
			}
		}
	}
	// Every identifier in a passage about incidents in the sections on
	// data, operations and the simulator is an incident field (or a value
	// of one): the incident is those sections' subject.
	for _, sec := range []string{"## 3.", "## 4.", "## 11."} {
		for _, b := range blocksOf(section(text, sec)) {
			if !strings.Contains(strings.ToLower(b), "incident") {
				continue
			}
			for _, w := range append(splitAll(inner(b)), keys(b)...) {
				if _, isTable := fields[w]; !isTable && w != "incident" && w != "task" {
					add("incident", w)
				}
			}
		}
	}
	for t, set := range fields {
		if !slices.Contains(tables, t) && len(set) == 0 {
			continue
		}
		for f := range set {
			r.Tables[t] = append(r.Tables[t], f)
		}
		slices.Sort(r.Tables[t])
		if r.Tables[t] == nil {
			r.Tables[t] = []string{}
		}
	}
	r.Common = commonFields(text)
	r.Sysparm = unique(sysparm.FindAllString(text, -1))
	r.Operators = operators(text)
	r.Collection, r.Record = []string{"GET", "POST"}, []string{"DELETE", "GET", "PATCH", "PUT"}
	return r
}

// servedTables are the tables of the simulator section's first item.
func servedTables(text string) []string {
	_, rest, ok := strings.Cut(text, "1. Serve `/api/now/table/")
	if !ok {
		return nil
	}
	item, _, _ := strings.Cut(rest, "unknown table")
	var out []string
	for _, w := range inner(item) {
		if ident.MatchString(w) && w != "v1" && w != "v2" {
			out = append(out, w)
		}
	}
	return unique(out)
}

// commonFields are the sys_ fields the simulator section's item 5 names
// ("sys_created_on/by" is two).
func commonFields(text string) []string {
	_, rest, _ := strings.Cut(text, "5. Generate ")
	item, _, _ := strings.Cut(rest, "\n6. ")
	var out []string
	for _, w := range inner(item) {
		for _, f := range strings.Split(w, ", ") {
			head, tail, slash := strings.Cut(f, "/")
			if !strings.HasPrefix(head, "sys_") {
				continue
			}
			out = append(out, strings.Fields(head)[0])
			if slash {
				out = append(out, head[:strings.LastIndex(head, "_")+1]+tail)
			}
		}
	}
	return unique(append(out, "sys_id"))
}

// operators are the backticked words of the query section's "Ops:" list.
func operators(text string) []string {
	_, rest, _ := strings.Cut(text, "Ops: ")
	list, _, _ := strings.Cut(rest, "dot-walk")
	var out []string
	for _, w := range inner(list) {
		if !strings.ContainsAny(w, "a-z") && !strings.Contains(w, "BETWEEN") || w == "BETWEEN" {
			out = append(out, w)
		}
	}
	return unique(out)
}

// blocksOf splits the notes into passages: table rows, and list items with
// their continuation lines.
func blocksOf(text string) []string {
	var blocks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			blocks = append(blocks, cur.String())
			cur.Reset()
		}
	}
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "|") || strings.HasPrefix(t, "#") || strings.HasPrefix(line, "- ") || startsNumbered(line) {
			flush()
		}
		cur.WriteString(line + "\n")
		if strings.HasPrefix(t, "|") {
			flush()
		}
	}
	flush()
	return blocks
}

func startsNumbered(line string) bool {
	i := strings.Index(line, ". ")
	return i > 0 && i < 4 && strings.Trim(line[:i], "0123456789") == ""
}

// sentence is s up to the end of its first sentence.
func sentence(s string) string {
	head, _, _ := strings.Cut(s, ". ")
	return head
}

// section is the notes' section starting at heading, up to the next one.
func section(text, heading string) string {
	_, rest, ok := strings.Cut(text, "\n"+heading)
	if !ok {
		return ""
	}
	body, _, _ := strings.Cut(rest, "\n## ")
	return body
}

// inner returns the backticked parts of s.
func inner(s string) []string {
	var out []string
	for _, m := range backticks.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// splitAll splits backticked lists ("a, b") into words.
func splitAll(parts []string) []string {
	var out []string
	for _, p := range parts {
		for _, w := range strings.Split(p, ",") {
			w = strings.TrimSpace(w)
			if head, tail, ok := strings.Cut(w, "/"); ok && strings.Contains(head, "_") && ident.MatchString(tail) {
				if !strings.Contains(tail, "_") { // "sys_created_on/by"
					tail = head[:strings.LastIndex(head, "_")+1] + tail
				}
				out = append(out, head, tail)
				continue
			}
			out = append(out, w)
		}
	}
	return out
}

// keys are the JSON object keys in s.
func keys(s string) []string {
	var out []string
	for _, m := range jsonKey.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// urlFields are the field names in a URL's sysparm_fields and
// sysparm_query.
func urlFields(rawQuery string) []string {
	var out []string
	for _, kv := range strings.Split(strings.TrimPrefix(rawQuery, "?"), "&") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "sysparm_fields":
			out = append(out, strings.Split(v, ",")...)
		case "sysparm_query":
			for _, part := range strings.Split(v, "^") {
				part = strings.TrimPrefix(strings.TrimPrefix(part, "ORDERBYDESC"), "ORDERBY")
				if m := queryOp.FindStringSubmatch(part); m != nil {
					out = append(out, m[1])
				} else if ident.MatchString(part) {
					out = append(out, part)
				}
			}
		}
	}
	return out
}

func unique(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}
