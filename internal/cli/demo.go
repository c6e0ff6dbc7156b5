package cli

import (
	"context"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/demo"
)

func runDemo(ctx context.Context, args []string, io IO) error {
	fs := newFlags("demo", "[--psa autotask|connectwise]", io)
	psaName := fs.String("psa", "autotask", "the PSA whose simulator the demo runs against: "+strings.Join(demo.PSAs, ", "))
	if err := parse(fs, args); err != nil {
		return err
	}
	return demo.Run(ctx, io.Out, *psaName)
}
