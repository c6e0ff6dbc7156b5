package cli

import (
	"context"
	"fmt"
	"net"
	"os"

	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/config"
	"github.com/ticketbridge/ticketbridge/internal/datadir"
	"github.com/ticketbridge/ticketbridge/internal/obs"
)

func runServe(ctx context.Context, args []string, io IO) error {
	var cfg config.Config
	fs := newFlags("serve", "[flags]", io)
	cfg.RegisterServe(fs, config.Env(io.Getenv))
	if err := parse(fs, args); err != nil {
		return err
	}
	if !cfg.Postgres() {
		// One serve per SQLite data folder: a second would keep budgets
		// and leases of its own beside the first's.
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return fmt.Errorf("create data dir: %w", err)
		}
		release, err := datadir.Lock(cfg.DataDir)
		if err != nil {
			return err
		}
		defer release()
	}
	a, err := openApp(ctx, &cfg, io)
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.PprofAddr != "" {
		stop, err := servePprof(cfg.PprofAddr, obs.NewLogger(io.Err, cfg.LogLevel, cfg.LogFormat))
		if err != nil {
			return err
		}
		defer stop()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(io.Err, "ticketbridge listening on http://%s\n", ln.Addr())
	return a.Serve(ctx, ln)
}

// openApp loads secrets from the environment and opens the app with a
// logger on stderr.
func openApp(ctx context.Context, cfg *config.Config, io IO) (*app.App, error) {
	return openAppWith(ctx, cfg, io, app.Options{})
}

// openAppWith opens the app with opts, its logger writing to io.Err.
func openAppWith(ctx context.Context, cfg *config.Config, io IO, opts app.Options) (*app.App, error) {
	if err := cfg.LoadSecrets(config.Env(io.Getenv)); err != nil {
		return nil, err
	}
	opts.Logger = obs.NewLogger(io.Err, cfg.LogLevel, cfg.LogFormat)
	return app.New(ctx, *cfg, opts)
}
