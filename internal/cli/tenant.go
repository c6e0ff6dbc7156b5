package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/config"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// tenantFlag registers --tenant: which tenant a command that reads or
// writes settings works for. Without it, the default tenant, so a
// single-MSP installation never names one.
func tenantFlag(fs *flag.FlagSet) *string {
	return fs.String("tenant", store.DefaultTenant, "the tenant to work for")
}

// runTenant manages tenants with direct database access, like apply:
// "tenant create ID [--name NAME]" prints the new tenant's admin token
// once; "tenant list" lists them.
func runTenant(ctx context.Context, args []string, io IO) error {
	var cfg config.Config
	fs := newFlags("tenant", "create ID [--name NAME] | list", io)
	cfg.Register(fs, config.Env(io.Getenv))
	name := fs.String("name", "", "the tenant's display name (create; default: its id)")
	verb, rest := "", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, rest = args[0], args[1:]
	}
	var id string
	if verb == "create" && len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		id, rest = rest[0], rest[1:]
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	if (verb != "create" && verb != "list") || (verb == "create" && id == "") || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	a, err := openApp(ctx, &cfg, io)
	if err != nil {
		return err
	}
	defer a.Close()
	if verb == "create" {
		token, err := a.CreateTenant(ctx, id, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(io.Out, "tenant %s created\nadmin token (shown once): %s\n", id, token)
		return nil
	}
	ts, err := a.Store.Tenants(ctx)
	if err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	for _, t := range ts {
		fmt.Fprintf(io.Out, "%s\t%s\n", t.ID, t.Name)
	}
	return nil
}
