package cli

import (
	"context"
	"fmt"

	"github.com/ticketbridge/ticketbridge/internal/config"
	"github.com/ticketbridge/ticketbridge/internal/store/storeopen"
)

func runMigrate(ctx context.Context, args []string, io IO) error {
	var cfg config.Config
	fs := newFlags("migrate", "[flags]", io)
	cfg.Register(fs, config.Env(io.Getenv))
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	st, migrate, err := storeopen.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath(), nil)
	if err != nil {
		return err
	}
	defer st.Close()
	// Opening the store applies what is pending; this run reports the
	// state and catches a migration another process added meanwhile.
	if _, err := migrate(ctx); err != nil {
		return err
	}
	where := cfg.SQLitePath()
	if cfg.Postgres() {
		where = "PostgreSQL"
	}
	fmt.Fprintf(io.Out, "database %s: schema is up to date\n", where)
	return nil
}
