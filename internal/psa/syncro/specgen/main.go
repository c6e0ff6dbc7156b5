// Command specgen writes the compact extract of Syncro's OpenAPI document
// that the connector's spec check reads (testdata/openapi-extract.json),
// from the full document kept outside the repository:
//
//	go generate ./internal/psa/syncro
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/ticketbridge/ticketbridge/internal/psa/syncro/spec"
)

func main() {
	in := flag.String("spec", "", "Syncro's OpenAPI document (JSON)")
	out := flag.String("out", "", "where to write the extract")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	doc, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	x, err := spec.Make(doc)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(x, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}
