// Command specgen refreshes the simulator's copy of SuperOps' published
// schema from the full spec file, refusing a file whose digest is not the
// one the notes record (so a changed spec is a deliberate update of
// PublishedSHA256, not an accident).
//
//	go run ./internal/psa/superops/superopssim/internal/specgen -from PATH -to PATH -sha256 HEX
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
)

func main() {
	from := flag.String("from", "", "the published schema (SDL)")
	to := flag.String("to", "schema/superops.graphql", "where the simulator embeds it")
	want := flag.String("sha256", "", "the digest the file must have")
	flag.Parse()
	if err := run(*from, *to, *want); err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
}

func run(from, to, want string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); want != "" && got != want {
		return fmt.Errorf("%s has sha256 %s, want %s", from, got, want)
	}
	return os.WriteFile(to, b, 0o644)
}
