// Package config is the process configuration: flags with TICKETBRIDGE_*
// environment defaults (and *_FILE variants for secrets), validated once.
// Integration settings are not here: they live in the database.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// Config is what one ticketbridge process needs to start.
type Config struct {
	DataDir      string
	DatabaseURL  string
	Addr         string
	MaxBodyBytes int64
	// SMTPAddr is where mail sources deliver (empty: no SMTP listener);
	// SMTPDomain is the name it greets with; SMTPMaxBytes the largest
	// message it takes.
	SMTPAddr     string
	SMTPDomain   string
	SMTPMaxBytes int64
	// SMTPTLSCert and SMTPTLSKey are PEM files; when both are set the
	// SMTP listener offers STARTTLS.
	SMTPTLSCert, SMTPTLSKey string
	LogLevel                string
	LogFormat               string
	// Replica names this process among replicas sharing one PostgreSQL.
	Replica string
	// SecretKey encrypts PSA credentials at rest. Empty means: use (or
	// create) the key file beside the data.
	SecretKey secret.Secret
	// AdminToken guards the management API. Empty means: use (or create)
	// the token file beside the data.
	AdminToken secret.Secret
	// OperatorToken manages tenants (/api/v1/tenants). Empty means there
	// is no operator: none is made up, and the tenant routes answer 401.
	OperatorToken secret.Secret
	// Retention is how long an alert is kept after it was last received
	// or changed (unless a live ticket or pending work still needs it);
	// 0 keeps everything. Register sets DefaultRetention.
	Retention time.Duration
	// MaxAttempts and GiveUpAfter: a delivery that keeps failing is marked
	// failed once it has had MaxAttempts attempts and waited GiveUpAfter
	// (0: the engine's defaults, 20 and 24h).
	MaxAttempts int
	GiveUpAfter time.Duration
	// DegradedAfter is how long an integration's routing or delivery may
	// keep failing before readiness and metrics call it degraded.
	DegradedAfter time.Duration
	// UnreadyAfter, when set, fails /readyz (503) once an integration's
	// routing or delivery has kept failing this long; 0 (the default)
	// keeps readiness on ingest alone, which works through any PSA outage.
	UnreadyAfter time.Duration
	// PublicURL is where users reach this service, when something in
	// front of it (a TLS-terminating proxy) makes that differ from Addr.
	// An https one makes the console's cookies Secure, though the proxy
	// speaks plain HTTP to us.
	PublicURL string
	// PprofAddr, when set, serves Go's runtime profiles (/debug/pprof/)
	// on this loopback address, apart from the main listener so they are
	// never reachable where the API is; empty (the default) serves none.
	PprofAddr string

	// envErrs are environment values that did not parse.
	envErrs []error
	// retentionErr is a TICKETBRIDGE_RETENTION that did not parse,
	// reported by Validate with the other problems.
	retentionErr error
}

// DefaultRetention is how long alerts are kept unless configured.
const DefaultRetention = 90 * 24 * time.Hour

// minRetention keeps retention from pruning alerts while their source may
// still re-send them: a re-send after the prune is a new alert, routed
// again.
const minRetention = 24 * time.Hour

// Env reads environment variables; tests replace it.
type Env func(string) string

// Register binds the flags of every command that opens the data (the
// folder or database, and logging) to fs, with defaults from env; the
// serve-only settings take their defaults from env too, without flags.
func (c *Config) Register(fs *flag.FlagSet, env Env) {
	c.defaults(env)
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "folder for the SQLite database and key files (env TICKETBRIDGE_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "database: postgres://… or sqlite://PATH (default DATA_DIR/ticketbridge.db) (env TICKETBRIDGE_DATABASE_URL)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (env TICKETBRIDGE_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "json or text (env TICKETBRIDGE_LOG_FORMAT)")
}

// RegisterServe binds Register's flags and serve's own to fs.
func (c *Config) RegisterServe(fs *flag.FlagSet, env Env) {
	c.Register(fs, env)
	fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP listen address (env TICKETBRIDGE_ADDR)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest ingest request body (env TICKETBRIDGE_MAX_BODY_BYTES)")
	fs.StringVar(&c.Replica, "replica-id", c.Replica, "this replica's name in leases when several share one PostgreSQL (default: host name and process id) (env TICKETBRIDGE_REPLICA_ID)")
	fs.IntVar(&c.MaxAttempts, "max-attempts", c.MaxAttempts, "attempts before a failing delivery is marked failed, once it has also waited --give-up-after (env TICKETBRIDGE_MAX_ATTEMPTS)")
	fs.DurationVar(&c.GiveUpAfter, "give-up-after", c.GiveUpAfter, "how long a failing delivery is retried before it may be marked failed: an outage shorter than this fails nothing (env TICKETBRIDGE_GIVE_UP_AFTER)")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", c.SMTPAddr, "SMTP listen address for mail sources; empty: no SMTP (env TICKETBRIDGE_SMTP_ADDR)")
	fs.StringVar(&c.SMTPDomain, "smtp-domain", c.SMTPDomain, "the name the SMTP listener greets with (env TICKETBRIDGE_SMTP_DOMAIN)")
	fs.Int64Var(&c.SMTPMaxBytes, "smtp-max-bytes", c.SMTPMaxBytes, "largest mail the SMTP listener takes (env TICKETBRIDGE_SMTP_MAX_BYTES)")
	fs.StringVar(&c.SMTPTLSCert, "smtp-tls-cert", c.SMTPTLSCert, "PEM certificate (chain) the SMTP listener offers with STARTTLS (env TICKETBRIDGE_SMTP_TLS_CERT)")
	fs.StringVar(&c.SMTPTLSKey, "smtp-tls-key", c.SMTPTLSKey, "PEM private key of --smtp-tls-cert (env TICKETBRIDGE_SMTP_TLS_KEY)")
	fs.DurationVar(&c.UnreadyAfter, "unready-after", c.UnreadyAfter, "fail /readyz (503) once an integration's PSA has kept failing this long; 0 (default) never: ingest keeps working through PSA outages (env TICKETBRIDGE_UNREADY_AFTER)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "where users reach this service, e.g. https://tickets.msp.example behind a TLS proxy: an https URL makes the console's cookies Secure (env TICKETBRIDGE_PUBLIC_URL)")
	fs.DurationVar(&c.DegradedAfter, "degraded-after", c.DegradedAfter, "how long an integration's PSA may keep failing before /readyz and ticketbridge_integration_degraded name it (env TICKETBRIDGE_DEGRADED_AFTER)")
	fs.Func("retention", "prune alerts not received or changed for this long, like 90d or 2160h; 0 keeps everything (default 90d) (env TICKETBRIDGE_RETENTION)", func(v string) error {
		d, err := parseAge(v)
		if err == nil {
			c.Retention, c.retentionErr = d, nil
		}
		return err
	})
}

// defaults sets every setting from env, or its default.
func (c *Config) defaults(env Env) {
	c.DataDir = envOr(env, "TICKETBRIDGE_DATA_DIR", "data")
	c.DatabaseURL = env("TICKETBRIDGE_DATABASE_URL")
	c.LogLevel = envOr(env, "TICKETBRIDGE_LOG_LEVEL", "info")
	c.LogFormat = envOr(env, "TICKETBRIDGE_LOG_FORMAT", "json")
	c.Addr = envOr(env, "TICKETBRIDGE_ADDR", "127.0.0.1:8080")
	c.MaxBodyBytes = envInt(env, "TICKETBRIDGE_MAX_BODY_BYTES", 1<<20)
	c.Replica = env("TICKETBRIDGE_REPLICA_ID")
	c.SMTPAddr = env("TICKETBRIDGE_SMTP_ADDR")
	c.SMTPDomain = envOr(env, "TICKETBRIDGE_SMTP_DOMAIN", "localhost")
	c.SMTPMaxBytes = envInt(env, "TICKETBRIDGE_SMTP_MAX_BYTES", 1<<20)
	c.SMTPTLSCert = env("TICKETBRIDGE_SMTP_TLS_CERT")
	c.SMTPTLSKey = env("TICKETBRIDGE_SMTP_TLS_KEY")
	c.MaxAttempts = int(envInt(env, "TICKETBRIDGE_MAX_ATTEMPTS", 20))
	c.GiveUpAfter = c.envDuration(env, "TICKETBRIDGE_GIVE_UP_AFTER", 24*time.Hour)
	c.DegradedAfter = c.envDuration(env, "TICKETBRIDGE_DEGRADED_AFTER", 5*time.Minute)
	c.UnreadyAfter = c.envDuration(env, "TICKETBRIDGE_UNREADY_AFTER", 0)
	c.PublicURL = env("TICKETBRIDGE_PUBLIC_URL")
	c.PprofAddr = env("TICKETBRIDGE_PPROF_ADDR")
	c.Retention = DefaultRetention
	if v := env("TICKETBRIDGE_RETENTION"); v != "" {
		c.Retention, c.retentionErr = parseAge(v)
		if c.retentionErr != nil {
			c.retentionErr = fmt.Errorf("TICKETBRIDGE_RETENTION: %w", c.retentionErr)
		}
	}
}

// envDuration reads a Go duration from env; one that does not parse is
// reported by Validate.
func (c *Config) envDuration(env Env, name string, def time.Duration) time.Duration {
	v := env(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return d
}

// parseAge reads an age: a whole number of days ("90d"), a Go duration
// ("2160h", "36h30m") or "0".
func parseAge(v string) (time.Duration, error) {
	const maxDays = 36500 // a century: any longer is "keep everything", and the product cannot overflow
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > maxDays {
			return 0, fmt.Errorf("%q: want a number of days from 0 to %d like 90d, or a duration like 2160h", v, maxDays)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q: want a number of days like 90d, or a duration like 2160h", v)
	}
	return d, nil
}

// LoadSecrets reads the secret key and admin token from the environment
// (value or *_FILE); it never takes them from flags, which leak into
// process listings.
func (c *Config) LoadSecrets(env Env) error {
	key, err := fromEnvOrFile(env, "TICKETBRIDGE_SECRET_KEY")
	if err != nil {
		return err
	}
	tok, err := fromEnvOrFile(env, "TICKETBRIDGE_ADMIN_TOKEN")
	if err != nil {
		return err
	}
	op, err := fromEnvOrFile(env, "TICKETBRIDGE_OPERATOR_TOKEN")
	if err != nil {
		return err
	}
	c.SecretKey, c.AdminToken, c.OperatorToken = secret.New(key), secret.New(tok), secret.New(op)
	return nil
}

// Validate reports every problem at once.
func (c *Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data-dir: required: set a folder for the database"))
	}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, errors.New("max-body-bytes: must be at least 1024"))
	}
	if c.SMTPAddr != "" && c.SMTPMaxBytes < 1024 {
		errs = append(errs, errors.New("smtp-max-bytes: must be at least 1024"))
	}
	if (c.SMTPTLSCert == "") != (c.SMTPTLSKey == "") {
		errs = append(errs, errors.New("smtp-tls-cert, smtp-tls-key: set both, or neither"))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite://") {
		errs = append(errs, errors.New("database-url: want postgres://…, postgresql://… or sqlite://PATH (empty: SQLite in the data dir)"))
	}
	switch {
	case c.retentionErr != nil:
		errs = append(errs, c.retentionErr)
	case c.Retention != 0 && c.Retention < minRetention:
		errs = append(errs, fmt.Errorf("retention: %s is less than a day: set 0 to keep everything, or 1d or more", c.Retention))
	}
	errs = append(errs, c.envErrs...)
	switch strings.ToLower(c.LogLevel) {
	case "", "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level: %q: want debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "", "json", "text":
	default:
		errs = append(errs, fmt.Errorf("log-format: %q: want json or text", c.LogFormat))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("max-attempts: %d: want 1 or more", c.MaxAttempts))
	}
	if c.DegradedAfter < 0 {
		errs = append(errs, fmt.Errorf("degraded-after: %s: want a duration like 5m", c.DegradedAfter))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("public-url: %q: want the address users reach this service at, like https://tickets.msp.example", c.PublicURL))
		}
	}
	if c.UnreadyAfter < 0 {
		errs = append(errs, fmt.Errorf("unready-after: %s: want a duration like 30m, or 0 for never", c.UnreadyAfter))
	}
	if c.GiveUpAfter < 0 {
		errs = append(errs, fmt.Errorf("give-up-after: %s: want a duration like 24h or 30m", c.GiveUpAfter))
	}
	if err := checkLoopback(c.PprofAddr); err != nil {
		errs = append(errs, fmt.Errorf("TICKETBRIDGE_PPROF_ADDR: %w", err))
	}
	if !c.SecretKey.IsZero() {
		if _, err := secret.ParseKey(c.SecretKey.Reveal()); err != nil {
			errs = append(errs, fmt.Errorf("TICKETBRIDGE_SECRET_KEY: %w", err))
		}
	}
	return errors.Join(errs...)
}

// SQLitePath is the database file to open when DatabaseURL is empty.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "ticketbridge.db") }

// Postgres reports whether the database is PostgreSQL.
func (c *Config) Postgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// ReplicaID is the name this process holds leases under. On SQLite there
// is one process per file, so the name is fixed and a restarted process
// takes its leases back at once; on PostgreSQL each replica needs its own.
func (c *Config) ReplicaID() string {
	switch {
	case c.Replica != "":
		return c.Replica
	case !c.Postgres():
		return "sqlite"
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// checkLoopback accepts an empty address or host:port whose host is a
// loopback IP or localhost: profiles show memory contents and cost CPU to
// take, so they are for someone already on the machine.
func checkLoopback(addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q: want host:port like 127.0.0.1:6060", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q: want a loopback address like 127.0.0.1:6060", addr)
	}
	return nil
}

func envOr(env Env, name, def string) string {
	if v := env(name); v != "" {
		return v
	}
	return def
}

func envInt(env Env, name string, def int64) int64 {
	if v, err := strconv.ParseInt(env(name), 10, 64); err == nil {
		return v
	}
	return def
}

func fromEnvOrFile(env Env, name string) (string, error) {
	if v := env(name); v != "" {
		return v, nil
	}
	path := env(name + "_FILE")
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s_FILE: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}
