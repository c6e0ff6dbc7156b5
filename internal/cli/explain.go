package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/config"
)

func runExplain(ctx context.Context, args []string, io IO) error {
	var cfg config.Config
	fs := newFlags("explain", "-f alert.json [--source ID]", io)
	tenant := tenantFlag(fs)
	cfg.Register(fs, config.Env(io.Getenv))
	file := fs.String("f", "-", "one alert as JSON; - for stdin")
	source := fs.String("source", "sample", "source id the alert would come from")
	if err := parse(fs, args); err != nil {
		return err
	}
	body, err := readInput(*file, io.In)
	if err != nil {
		return err
	}
	alerts, err := alert.Decode(body)
	if err != nil {
		return err
	}
	a, err := openAppWith(ctx, &cfg, io, app.Options{Tenant: *tenant})
	if err != nil {
		return err
	}
	defer a.Close()
	var failed []string
	for _, al := range alerts {
		exs, err := a.Explain(ctx, *source, al)
		if err != nil {
			return err
		}
		for _, ex := range exs {
			fmt.Fprintf(io.Out, "alert %s under integration %q:\n", al.ID, ex.Integration)
			for _, l := range ex.Lines {
				fmt.Fprintf(io.Out, "  - %s\n", l)
			}
			if ex.Err != nil && !slices.Contains(failed, ex.Integration) {
				failed = append(failed, ex.Integration)
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("could not explain under %s (see above)", strings.Join(failed, ", "))
	}
	return nil
}
