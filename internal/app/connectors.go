package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/psahttp"
	"github.com/ticketbridge/ticketbridge/internal/secret"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// connector builds the PSA connector of a stored integration, decrypting
// its credentials; it is the engine's ConnectorFactory.
func (a *App) connector(_ context.Context, it store.Integration, s integration.Settings) (psa.Connector, error) {
	creds := map[string]secret.Secret{}
	for name, enc := range it.Credentials {
		v, err := a.Keyring.Decrypt(enc)
		if err != nil {
			return nil, fmt.Errorf("decrypt %s of integration %s: %w", name, it.Name, err)
		}
		creds[name] = v
	}
	return a.newConnector(s, creds, budgetKey(it.TenantID, it.Name))
}

func (a *App) newConnector(s integration.Settings, creds map[string]secret.Secret, name string) (psa.Connector, error) {
	d, err := a.drivers.Find(s.PSA)
	if err != nil {
		return nil, err
	}
	budget, err := a.budget(name, d.Profile, s.Connection)
	if err != nil {
		return nil, err
	}
	return d.Connect(driver.Params{
		Integration: name,
		Connection:  s.Connection,
		Secrets:     creds,
		Budget:      budget,
		HTTPClient:  a.client,
		Logger:      a.log.With("integration", name),
		Now:         a.now,
		Observe:     a.Metrics.ObservePSA(name),
	})
}

// Profiles are the settings profiles of the app's drivers.
func (a *App) Profiles() integration.Profiles { return a.drivers.Profiles() }

// readSecrets resolves the secret references of the YAML (env or file) to
// values; a reference marked stored keeps the value in the database.
func readSecrets(s integration.Settings, getenv func(string) string) (map[string]secret.Secret, []string, error) {
	out := map[string]secret.Secret{}
	var keep []string
	var errs []error
	for name, refp := range s.Connection.SecretRefs() {
		ref := *refp
		switch {
		case ref.Stored:
			keep = append(keep, name)
		case ref.Env != "":
			v := getenv(ref.Env)
			if v == "" {
				errs = append(errs, fmt.Errorf("connection.%s: environment variable %s is empty: set it", name, ref.Env))
			}
			out[name] = secret.New(v)
		case ref.File != "":
			b, err := os.ReadFile(ref.File)
			if err != nil {
				errs = append(errs, fmt.Errorf("connection.%s: read file %s: %w", name, ref.File, err))
			}
			out[name] = secret.New(strings.TrimSpace(string(b)))
		case ref.Value != "":
			out[name] = secret.New(ref.Value)
		}
	}
	return out, keep, errors.Join(errs...)
}

// ensureAdminToken makes sure an admin API token exists: the one from the
// environment, or one kept in a 0600 file beside the data. The token is
// never printed; only the file's path is logged.
func (a *App) ensureAdminToken(ctx context.Context) error {
	tok := a.cfg.AdminToken.Reveal()
	if tok == "" {
		path := filepath.Join(a.cfg.DataDir, "admin.token")
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			tok = strings.TrimSpace(string(b))
		case errors.Is(err, os.ErrNotExist):
			raw := make([]byte, 24)
			if _, err := rand.Read(raw); err != nil {
				return fmt.Errorf("generate admin token: %w", err)
			}
			tok = "tba_" + hex.EncodeToString(raw)
			if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
				return fmt.Errorf("write admin token file: %w", err)
			}
			a.log.Info("admin API token created", "file", path)
		default:
			return fmt.Errorf("read admin token file: %w", err)
		}
	}
	hash := ingest.HashToken(tok)
	if _, err := a.Store.APITokenByHash(ctx, hash); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("look up admin token: %w", err)
	}
	err := a.Store.CreateAPIToken(ctx, store.APIToken{TenantID: a.Tenant, Name: "admin", TokenHash: hash, CreatedAt: a.now()})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

// Connector returns a connector for the stored integration called name,
// for read-only uses such as summaries and explanations.
func (a *App) Connector(ctx context.Context, name string) (psa.Connector, error) {
	it, err := a.Store.IntegrationByName(ctx, a.tenantOf(ctx), name)
	if err != nil {
		return nil, fmt.Errorf("integration %s: %w", name, err)
	}
	s, err := decodeStored(it)
	if err != nil {
		return nil, err
	}
	return a.connector(ctx, it, s)
}

// budget returns the integration's request budget. One budget per
// integration lives as long as the process, shared by the engine's
// connector, apply and explain, and kept across settings reloads, so that
// every call this process makes to the PSA is counted against one window.
func (a *App) budget(name string, p integration.Profile, c integration.Connection) (*psahttp.Budget, error) {
	limit := c.RequestsPerHour
	if limit <= 0 {
		limit = p.RequestsPerHour
	}
	window := time.Hour
	if c.BudgetWindow != "" {
		d, err := time.ParseDuration(c.BudgetWindow)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("connection.budget_window: %q is not a positive duration", c.BudgetWindow)
		}
		window = d
	}
	a.budgetsMu.Lock()
	defer a.budgetsMu.Unlock()
	b, ok := a.budgets[name]
	if !ok || b.Limit() != limit || b.Window() != window {
		b = psahttp.NewBudget(limit, window, a.now)
		a.budgets[name] = b
	}
	return b, nil
}
