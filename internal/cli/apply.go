package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/config"
	"github.com/ticketbridge/ticketbridge/internal/integration"
)

func runApply(ctx context.Context, args []string, io IO) error {
	var cfg config.Config
	fs := newFlags("apply", "-f FILE.yaml [--yes]", io)
	cfg.Register(fs, config.Env(io.Getenv))
	tenant := tenantFlag(fs)
	file := fs.String("f", "", "integration settings YAML (one or more documents); - for stdin")
	yes := fs.Bool("yes", false, "write the change (without it, only the plan is shown)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *file == "" {
		fs.Usage()
		return errUsage
	}
	docs, err := decodeFile(*file, io)
	if err != nil {
		return err
	}
	// Without --yes nothing is written: no data folder, key, token or
	// database appears.
	a, err := openAppWith(ctx, &cfg, io, app.Options{PlanOnly: !*yes, Tenant: *tenant})
	if err != nil {
		return err
	}
	defer a.Close()
	plans, err := a.PlanApply(ctx, docs, io.Getenv)
	if err != nil {
		return err
	}
	changed := 0
	for _, p := range plans {
		verb := "update"
		if p.New {
			verb = "create"
		}
		fmt.Fprintf(io.Out, "integration %q (%s): %d change(s)\n", p.Name, verb, len(p.Changes))
		for _, c := range p.Changes {
			fmt.Fprintf(io.Out, "  %s\n", c)
		}
		for _, e := range p.Effects {
			fmt.Fprintf(io.Out, "  ! %s\n", e)
		}
		for _, w := range p.Warnings {
			fmt.Fprintf(io.Out, "  warning: %s\n", w)
		}
		changed += len(p.Changes)
	}
	if changed == 0 {
		fmt.Fprintln(io.Out, "no changes")
		return nil
	}
	if !*yes {
		fmt.Fprintln(io.Out, "\nplan only: run again with --yes to write it")
		return nil
	}
	if err := a.ApplyPlans(ctx, plans); err != nil {
		return err
	}
	fmt.Fprintln(io.Out, "\napplied")
	return nil
}

func decodeFile(path string, io IO) ([]integration.Settings, error) {
	r := io.In
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("open settings: %w", err)
		}
		defer f.Close()
		r = f
	}
	docs, err := integration.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(docs) == 0 {
		return nil, errors.New(path + ": no integration in the file")
	}
	return docs, nil
}
