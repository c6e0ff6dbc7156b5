package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

func runVersion(_ context.Context, args []string, io IO) error {
	fs := newFlags("version", "", io)
	if err := parse(fs, args); err != nil {
		return err
	}
	v, rev := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = " " + s.Value
			}
		}
	}
	fmt.Fprintf(io.Out, "ticketbridge %s%s\n", v, rev)
	return nil
}
