package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/ticketbridge/ticketbridge/internal/app"

	"github.com/ticketbridge/ticketbridge/internal/config"
)

// runReplay derives a source's alerts again from the raw bodies it sent,
// by its current format: after a mapping changed, without the sender
// resending.
func runReplay(ctx context.Context, args []string, io IO) error {
	var cfg config.Config
	fs := newFlags("replay", "--source ID (with serve stopped on SQLite; while it runs, POST /api/v1/sources/{id}/replay)", io)
	tenant := tenantFlag(fs)
	cfg.Register(fs, config.Env(io.Getenv))
	sourceID := fs.String("source", "", "the source whose bodies to derive again")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *sourceID == "" {
		fs.Usage()
		return errUsage
	}
	a, err := openAppWith(ctx, &cfg, io, app.Options{Tenant: *tenant})
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Replay(ctx, *sourceID)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Out, "replayed %d bodies of %s: %d alerts\n", res.Bodies, *sourceID, res.Alerts)
	for _, f := range res.Failed {
		fmt.Fprintf(io.Out, "  failed: %s\n", f)
	}
	if len(res.Failed) > 0 {
		return errors.New("some bodies no longer decode; fix the mapping and replay again")
	}
	return nil
}
