package cli

import (
	"context"
	"fmt"
	"github.com/ticketbridge/ticketbridge/internal/app"
	"os"

	"github.com/ticketbridge/ticketbridge/internal/config"
)

func runExport(ctx context.Context, args []string, io IO) error {
	var cfg config.Config
	fs := newFlags("export", "[-o FILE.yaml]", io)
	tenant := tenantFlag(fs)
	cfg.Register(fs, config.Env(io.Getenv))
	out := fs.String("o", "", "write to this file instead of stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openAppWith(ctx, &cfg, io, app.Options{Tenant: *tenant})
	if err != nil {
		return err
	}
	defer a.Close()
	y, err := a.Export(ctx)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = io.Out.Write(y)
		return err
	}
	if err := os.WriteFile(*out, y, 0o600); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	return nil
}
