package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/source"
)

const sourceSynopsis = "test -f sample.json --format NAME [--settings settings.json] | formats"

// runSource serves "source test" (what a sample body becomes under a
// format, offline, before a source is saved with it) and "source formats"
// (the formats a source may name).
func runSource(_ context.Context, args []string, io IO) error {
	if len(args) == 0 || (args[0] != "test" && args[0] != "formats") {
		fs := newFlags("source", sourceSynopsis, io)
		if err := parse(fs, args); err != nil {
			return err
		}
		fs.Usage()
		return errUsage
	}
	builtins, err := source.LoadBuiltins()
	if err != nil {
		return err
	}
	if args[0] == "formats" {
		return listFormats(builtins, io)
	}
	fs := newFlags("source", sourceSynopsis, io)
	file := fs.String("f", "-", "the product's body as it sends it; - for stdin")
	format := fs.String("format", source.Canonical, "the source's format (see `ticketbridge source formats`)")
	settingsFile := fs.String("settings", "", "the source's settings as JSON: default_organization, organization_from, mapping")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	body, err := readInput(*file, io.In)
	if err != nil {
		return err
	}
	var settings []byte
	if *settingsFile != "" {
		if settings, err = readInput(*settingsFile, io.In); err != nil {
			return err
		}
	}
	dec, err := builtins.NewDecoder(*format, settings)
	if err != nil {
		return err
	}
	alerts, err := dec.Decode(body, time.Now)
	if err != nil {
		return err
	}
	out, err := json.MarshalIndent(alerts, "", "  ")
	if err != nil {
		return fmt.Errorf("encode alerts: %w", err)
	}
	_, err = fmt.Fprintf(io.Out, "%s\n", out)
	return err
}

func listFormats(b *source.Builtins, io IO) error {
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FORMAT\tVERIFIED\tREADS")
	fmt.Fprintf(tw, "%s\tyes\tthe ingest contract's canonical alert\n", source.Canonical)
	for _, name := range b.Names()[1:] {
		c, _ := b.Get(name)
		m := c.Mapping()
		verified := "no"
		if m.Verified {
			verified = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Name, verified, m.Title)
	}
	return tw.Flush()
}
