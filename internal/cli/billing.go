package cli

import (
	"context"
	"fmt"
	"github.com/ticketbridge/ticketbridge/internal/app"
	"text/tabwriter"

	"github.com/ticketbridge/ticketbridge/internal/config"
)

func runBilling(ctx context.Context, args []string, io IO) error {
	var cfg config.Config
	fs := newFlags("billing", "preview", io)
	tenant := tenantFlag(fs)
	cfg.Register(fs, config.Env(io.Getenv))
	if len(args) == 0 || args[0] != "preview" {
		fs.Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := openAppWith(ctx, &cfg, io, app.Options{Tenant: *tenant})
	if err != nil {
		return err
	}
	defer a.Close()
	previews, err := a.BillingPreview(ctx)
	if err != nil {
		return err
	}
	if len(previews) == 0 {
		fmt.Fprintln(io.Out, "no integration has contracts.billable_users enabled")
		return nil
	}
	tw := tabwriter.NewWriter(io.Out, 2, 4, 2, ' ', 0)
	for _, p := range previews {
		fmt.Fprintf(tw, "integration %s\nORGANIZATION\tCONTRACT\tCURRENT\tREPORTED\tCHANGE\tACTION\tEFFECTIVE\n", p.Integration)
		for _, l := range p.Lines {
			reported := "-"
			if l.Reported != nil {
				reported = fmt.Sprint(*l.Reported)
			}
			fmt.Fprintf(tw, "%s\t%s\t%g\t%s\t%+g\t%s\t%s\n", l.Organization, l.Contract, l.Current, reported, l.Change, l.Action, l.EffectiveDate)
		}
	}
	return tw.Flush()
}
