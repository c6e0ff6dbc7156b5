package cli

import (
	"context"

	"github.com/ticketbridge/ticketbridge/internal/demo"
)

func runDemo(ctx context.Context, args []string, io IO) error {
	fs := newFlags("demo", "[--psa "+io.psaNames("|")+"] [--serve]", io)
	psaName := fs.String("psa", io.drivers()[0].Name(), "the PSA whose simulator the demo runs against: "+io.psaNames(", "))
	serve := fs.Bool("serve", false, "after the story, keep ticketbridge up and print the console's address, until Ctrl-C")
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := io.driver(*psaName)
	if err != nil {
		return err
	}
	return demo.RunServe(ctx, io.Out, d, *serve)
}
