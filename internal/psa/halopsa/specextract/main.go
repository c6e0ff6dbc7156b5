// Command specextract writes the part of Halo's OpenAPI document that the
// connector's spec test needs: for each operation the connector calls,
// its query parameters with their types and its request body, and the
// property types of the schemas those bodies hold. The full document is
// 3.6 MB and lives outside the repository; the extract is committed.
//
//	go run ./specextract -spec /path/to/halopsa-openapi.json -out testdata/spec-extract.json
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/ticketbridge/ticketbridge/internal/psa/halopsa/specextract/extract"
)

func main() {
	spec := flag.String("spec", "", "path of halopsa-openapi.json")
	out := flag.String("out", "testdata/spec-extract.json", "where to write the extract")
	flag.Parse()
	if err := run(*spec, *out); err != nil {
		fmt.Fprintln(os.Stderr, "specextract:", err)
		os.Exit(1)
	}
}

func run(spec, out string) error {
	raw, err := os.ReadFile(spec)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(raw)
	x, err := extract.Build(raw, hex.EncodeToString(sum[:]))
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(x, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}
