// Command ticketbridge turns security alerts into deduplicated PSA tickets.
// See the README for the quick start; `ticketbridge help` lists commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ticketbridge/ticketbridge/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
