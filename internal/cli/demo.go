package cli

import (
	"context"

	"github.com/ticketbridge/ticketbridge/internal/demo"
)

func runDemo(ctx context.Context, args []string, io IO) error {
	fs := newFlags("demo", "[--psa "+io.psaNames("|")+"]", io)
	psaName := fs.String("psa", io.drivers()[0].Name(), "the PSA whose simulator the demo runs against: "+io.psaNames(", "))
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := io.driver(*psaName)
	if err != nil {
		return err
	}
	return demo.Run(ctx, io.Out, d)
}
