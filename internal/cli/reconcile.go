package cli

import (
	"context"
	"fmt"
	"github.com/ticketbridge/ticketbridge/internal/app"

	"github.com/ticketbridge/ticketbridge/internal/config"
)

// runReconcile re-reads from each PSA what the stored settings name and
// reports what the PSA no longer backs. It exits 1 when it finds drift,
// so a scheduler can alert on it.
func runReconcile(ctx context.Context, args []string, io IO) error {
	var cfg config.Config
	fs := newFlags("reconcile", "[--integration NAME]", io)
	tenant := tenantFlag(fs)
	cfg.Register(fs, config.Env(io.Getenv))
	only := fs.String("integration", "", "reconcile only this integration (default: all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openAppWith(ctx, &cfg, io, app.Options{Tenant: *tenant})
	if err != nil {
		return err
	}
	defer a.Close()
	reports, err := a.Reconcile(ctx, *only)
	if err != nil {
		return err
	}
	drifted := 0
	for _, r := range reports {
		if len(r.Findings) == 0 {
			fmt.Fprintf(io.Out, "integration %s: no drift\n", r.Integration)
			continue
		}
		drifted++
		fmt.Fprintf(io.Out, "integration %s: %d settings the PSA no longer backs (deliveries wait until apply):\n", r.Integration, len(r.Findings))
		for _, f := range r.Findings {
			fmt.Fprintf(io.Out, "  %s: %s\n", f.Path, f.Message)
		}
	}
	if drifted > 0 {
		return fmt.Errorf("drift in %d integrations: fix the settings and apply", drifted)
	}
	return nil
}
