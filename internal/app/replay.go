package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/mailin"
	"github.com/ticketbridge/ticketbridge/internal/source"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// replayPage is how many raw bodies one read of a replay takes.
const replayPage = 200

// ReplayResult counts what a replay did.
type ReplayResult struct {
	Bodies, Alerts int
	// Failed names each body that no longer decodes, with why.
	Failed []string
}

// Replay derives a source's alerts again from the raw bodies it sent,
// oldest first, by its current format and mail rules: after a mapping
// changed, the sender need not resend. Each body's alerts go through
// ingest's commit path, so an alert the mapping leaves as it was is not
// written, one it changes is updated (and its tickets follow as for any
// update), and a body that no longer decodes is reported and skipped.
func (a *App) Replay(ctx context.Context, sourceID string) (ReplayResult, error) {
	var res ReplayResult
	src, err := a.Store.SourceByID(ctx, a.tenantOf(ctx), sourceID)
	if err != nil {
		return res, fmt.Errorf("replay %s: %w", sourceID, err)
	}
	dec, err := source.MustLoadBuiltins().NewDecoder(src.Format, src.Settings)
	if err != nil {
		return res, fmt.Errorf("replay %s: %w", sourceID, err)
	}
	mail, err := source.NewMailDecoder(src.Settings)
	if err != nil {
		return res, fmt.Errorf("replay %s: %w", sourceID, err)
	}
	for after := int64(0); ; {
		bodies, err := a.Store.RawBodies(ctx, a.tenantOf(ctx), sourceID, after, replayPage)
		if err != nil {
			return res, fmt.Errorf("replay %s: %w", sourceID, err)
		}
		for _, b := range bodies {
			after = b.ID
			res.Bodies++
			alerts, err := derive(dec, mail, b)
			if err == nil {
				err = a.ingestHandler().Accept(ctx, src, alerts, nil)
			}
			if err != nil {
				res.Failed = append(res.Failed, fmt.Sprintf("body %d (%s, %s): %v", b.ID, b.Kind, b.ReceivedAt.Format(time.RFC3339), err))
				continue
			}
			res.Alerts += len(alerts)
		}
		if len(bodies) < replayPage {
			return res, nil
		}
	}
}

// derive decodes one raw body as it was received.
func derive(dec *source.Decoder, mail *source.MailDecoder, b store.RawBody) ([]alert.Alert, error) {
	at := func() time.Time { return b.ReceivedAt }
	if b.Kind != store.RawMail {
		return dec.Decode(b.Body, at)
	}
	m, err := mailin.Parse(b.Body)
	if err != nil {
		return nil, err
	}
	al, err := mail.Decode(m, b.ReceivedAt)
	if err != nil {
		return nil, err
	}
	return []alert.Alert{al}, nil
}

// replayRoutes mounts POST /api/v1/sources/{id}/replay: the running
// server replays, so nothing else opens its database.
func (a *App) replayRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/sources/{id}/replay", func(w http.ResponseWriter, r *http.Request) {
		res, err := a.Replay(r.Context(), r.PathValue("id"))
		switch {
		case errors.Is(err, store.ErrNotFound):
			httpapi.NotFound(w, "source "+r.PathValue("id"))
			return
		case err != nil:
			a.log.Error("replay", "source", r.PathValue("id"), "err", err)
			httpapi.Problem(w, http.StatusInternalServerError, "internal", "Internal error", "replay failed; the server log has the details", nil)
			return
		}
		if res.Failed == nil {
			res.Failed = []string{}
		}
		writeJSON(w, map[string]any{"bodies": res.Bodies, "alerts": res.Alerts, "failed": res.Failed})
	})
}
