// Command specgen writes the compact Table API rules the servicenow
// connector's spec test checks requests against, extracted from the
// ServiceNow notes (psa-apis/servicenow.md), which live outside the
// repository:
//
//	go run ./internal/psa/servicenow/tablerules/specgen -notes ../shared/psa-apis/servicenow.md
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/ticketbridge/ticketbridge/internal/psa/servicenow/tablerules"
)

func main() {
	notes := flag.String("notes", "../shared/psa-apis/servicenow.md", "the ServiceNow notes")
	out := flag.String("out", "internal/psa/servicenow/testdata/tablerules.json", "the extract to write")
	flag.Parse()
	if err := run(*notes, *out); err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
}

func run(notes, out string) error {
	text, err := os.ReadFile(notes)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(tablerules.Extract(text), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}
