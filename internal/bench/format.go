package bench

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// formatPairs is how many canonical and format runs W2 interleaves. The
// machine is shared, so a lone pair can land one run in a busy second;
// the median of per-pair ratios from runs taken back to back is what
// holds still.
const formatPairs = 3

// checkFormat fails early for a format W2 cannot generate bodies of.
func checkFormat(format string) error {
	if format == "" || format == "canonical" || slices.Contains(FormatBodies, format) {
		return nil
	}
	return fmt.Errorf("bench generates native bodies for %s, not %q", strings.Join(FormatBodies, ", "), format)
}

// compareFormat runs batched ingest of the same alerts as canonical bodies
// and as the format's own, formatPairs times each and interleaved (the
// order flips every pair so a drift of the machine's load favours
// neither), and adds the medians and the median per-pair ratio.
func compareFormat(ctx context.Context, o Options, storm Storm, n, batch int, res *Result) error {
	var canon, native, ratios []float64
	for i := range formatPairs {
		o.progress("w2: pair %d of %d, batched %d canonical and as %s", i+1, formatPairs, batch, o.Format)
		var c, f float64
		var err error
		runCanon := func() error { c, _, err = ingestRun(ctx, o, storm, n, batch); return err }
		runNative := func() error { f, err = formatRun(ctx, o, storm, n, batch); return err }
		first, second := runCanon, runNative
		if i%2 == 1 {
			first, second = runNative, runCanon
		}
		if err := first(); err != nil {
			return err
		}
		if err := second(); err != nil {
			return err
		}
		canon, native, ratios = append(canon, c), append(native, f), append(ratios, f/c)
	}
	res.add(fmt.Sprintf("batched %d canonical, median of %d: alerts/s", batch, formatPairs), median(canon), "alerts/s")
	res.add(fmt.Sprintf("batched %d as %s, median of %d: alerts/s", batch, o.Format, formatPairs), median(native), "alerts/s")
	res.atLeast(o.Format+" / canonical", median(ratios), "ratio", 0.8)
	return nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	return s[len(s)/2]
}

// formatRun is ingestRun for a source of a built-in format: the same
// alerts, sent as the product would send them. It checks that every alert
// was stored, so a generator the format no longer reads cannot pass for
// a fast one.
func formatRun(ctx context.Context, o Options, storm Storm, n, batch int) (float64, error) {
	f, ok := nativeFormats[o.Format]
	if !ok {
		return 0, checkFormat(o.Format)
	}
	e, err := startEnv(ctx, o, driver.SimOptions{}, nil)
	if err != nil {
		return 0, err
	}
	defer e.Close()
	token := ingest.NewToken("tbs_")
	err = e.App.Store.CreateSource(ctx, store.Source{
		TenantID: store.DefaultTenant, ID: "bench-" + o.Format, Name: "bench " + o.Format,
		TokenHash: ingest.HashToken(token), Format: o.Format, Settings: []byte(f.settings),
	})
	if err != nil {
		return 0, fmt.Errorf("create the %s source: %w", o.Format, err)
	}
	bodies := (n + batch - 1) / batch
	s := NewSender(e.BaseURL, token, ingestClients)
	start := time.Now()
	_, err = s.SendAll(ctx, bodies, func(i int) []byte {
		from := i * batch
		return storm.nativeBody(f, from, min(batch, n-from))
	}, ingestClients)
	if err != nil {
		return 0, err
	}
	rate := float64(n) / time.Since(start).Seconds()
	stored, err := e.App.Store.CountAlertsSince(ctx, store.DefaultTenant, time.Time{})
	if err != nil {
		return 0, fmt.Errorf("count the %s alerts: %w", o.Format, err)
	}
	if stored != int64(n) {
		return 0, fmt.Errorf("%s: %d alerts stored of %d sent", o.Format, stored, n)
	}
	return rate, nil
}
