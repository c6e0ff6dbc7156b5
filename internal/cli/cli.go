// Package cli implements the ticketbridge subcommands, one file each. Run
// is the whole command line; main only wires signals and exits.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
)

// Env is the process environment as a lookup function.
type Env func(string) string

// IO is where a command reads and writes, and the PSA drivers it knows.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
	Getenv   Env
	// Drivers are the PSAs the commands serve; default drivers.All().
	Drivers driver.List
}

// drivers returns the PSA drivers, the default first.
func (io IO) drivers() driver.List {
	if io.Drivers != nil {
		return io.Drivers
	}
	return drivers.All()
}

// driver finds the driver of the PSA called name ("" for the default).
func (io IO) driver(name string) (driver.Driver, error) {
	if strings.TrimSpace(name) == "" {
		return io.drivers()[0], nil
	}
	return io.drivers().Find(name)
}

// psaNames joins the drivers' names with sep.
func (io IO) psaNames(sep string) string { return strings.Join(io.drivers().Names(), sep) }

type command struct {
	summary string
	run     func(ctx context.Context, args []string, io IO) error
	// env lists the environment variables the command reads besides its
	// flags' defaults; example is a command line to copy.
	env     []string
	example string
}

// dataEnv is what every command that opens the data reads.
var dataEnv = []string{
	"TICKETBRIDGE_SECRET_KEY, TICKETBRIDGE_SECRET_KEY_FILE  the key PSA credentials are encrypted with (default: DATA_DIR/secret.key)",
}

// commands is filled in init: its entries' flag usage refers back to it.
var commands map[string]command

func init() {
	commands = map[string]command{
		"serve": {"run the ingest, API and delivery engine", runServe,
			append([]string{"TICKETBRIDGE_ADMIN_TOKEN, TICKETBRIDGE_ADMIN_TOKEN_FILE  the management API's token (default: DATA_DIR/admin.token)",
				"TICKETBRIDGE_OPERATOR_TOKEN, TICKETBRIDGE_OPERATOR_TOKEN_FILE  the operator's token for /api/v1/tenants (default: none, no operator)"}, dataEnv...),
			"ticketbridge serve --addr 127.0.0.1:8080"},
		"demo": {"run an end-to-end demo against an in-process PSA simulator", runDemo, nil,
			"ticketbridge demo --psa halopsa"},
		"sim": {"serve a PSA simulator on loopback", runSim, nil,
			"ticketbridge sim autotask --addr 127.0.0.1:9090"},
		"apply": {"validate integration settings (YAML), show the plan, write with --yes", runApply,
			append([]string{"the variables the settings' {env: NAME} secret references name"}, dataEnv...),
			"ticketbridge apply -f examples/autotask.yaml --yes"},
		"export": {"write the stored integration settings as YAML", runExport, nil,
			"ticketbridge export -o settings.yaml"},
		"explain": {"show what would happen to a sample alert, and why, without PSA writes", runExplain, dataEnv,
			"ticketbridge explain -f alert.json"},
		"send": {"post alert JSON from a file or stdin to a ticketbridge", runSend,
			[]string{"TICKETBRIDGE_SOURCE_TOKEN  the source's token (or --token-file)"},
			"TICKETBRIDGE_SOURCE_TOKEN=tbs_… ticketbridge send -f alerts.ndjson"},
		"migrate": {"create or upgrade the database schema", runMigrate, nil,
			"ticketbridge migrate --database-url postgres://ticketbridge@db/ticketbridge"},
		"version": {"print the version", runVersion, nil, "ticketbridge version"},
		"tenant": {"create a tenant (printing its admin token once) or list tenants", runTenant, dataEnv,
			"ticketbridge tenant create acme --name \"Acme MSP\""},
		"health": {"ask a running serve whether it is ready (exit 0) or not (exit 1)", runHealth, nil,
			"ticketbridge health --addr 127.0.0.1:8080"},
		"bench": {"run the benchmark workloads (latency, ingest, storm, scale) against a simulator", runBench, nil,
			"ticketbridge bench --workload w3 --psa connectwise"},
		"billing": {"preview the billable-user sync: current units, reported counts, adjustments", runBilling, dataEnv,
			"ticketbridge billing preview"},
		"replay": {"derive a source's alerts again from the raw bodies it sent, by its current format", runReplay, dataEnv,
			"ticketbridge replay --source huntress"},
		"source": {"show the canonical alerts a product's own body becomes under a format, or list the formats", runSource, nil,
			"ticketbridge source test -f body.json --format alertmanager"},
		"reconcile": {"re-read from each PSA what the settings name and report what it no longer backs", runReconcile, dataEnv,
			"ticketbridge reconcile"},
	}
}

// errUsage marks an error whose message is already the usage text.
var errUsage = errors.New("usage")

// Run runs one command line and returns the exit code.
func Run(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer, getenv func(string) string) int {
	return RunIO(ctx, args, IO{In: in, Out: out, Err: errOut, Getenv: getenv})
}

// RunIO runs one command line with iox and returns the exit code.
func RunIO(ctx context.Context, args []string, iox IO) int {
	out, errOut := iox.Out, iox.Err
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(out)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(errOut, "ticketbridge: unknown command %q\n\n", args[0])
		usage(errOut)
		return 2
	}
	err := cmd.run(ctx, args[1:], iox)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(errOut, "ticketbridge %s: %v\n", args[0], err)
	return 1
}

func usage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("ticketbridge turns security alerts into deduplicated PSA tickets.\n\nUsage: ticketbridge <command> [flags]\n\nCommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-8s %s\n", n, commands[n].summary)
	}
	b.WriteString("\nRun 'ticketbridge <command> --help' for a command's flags.\n")
	fmt.Fprint(w, b.String())
}

// newFlags returns a flag set whose --help prints a usage line and the flags.
func newFlags(name, synopsis string, io IO) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Err)
	fs.Usage = func() {
		c := commands[name]
		fmt.Fprintf(io.Err, "Usage: ticketbridge %s %s\n\n%s\n\nFlags:\n", name, synopsis, c.summary)
		fs.PrintDefaults()
		if len(c.env) > 0 {
			fmt.Fprintf(io.Err, "\nEnvironment:\n")
			for _, e := range c.env {
				fmt.Fprintf(io.Err, "  %s\n", e)
			}
		}
		if c.example != "" {
			fmt.Fprintf(io.Err, "\nExample:\n  %s\n", c.example)
		}
	}
	return fs
}

// parse parses flags; a parse error has already been printed with usage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}
