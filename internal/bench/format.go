package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/source"
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

// compareFormat runs batched ingest of the same alerts as the format's
// own bodies and as canonical bodies, formatPairs times each and
// interleaved (the order flips every pair so a drift of the machine's load
// favours neither), and adds the medians and the median per-pair ratio.
// The canonical bodies carry exactly the alerts the format makes of its
// bodies (its URLs, devices and attributes too), so the ratio is the cost
// of the mapping, not of storing richer alerts. Both sides' bodies are
// made before the clock starts: the generator shares the machine.
func compareFormat(ctx context.Context, o Options, storm Storm, n, batch int, res *Result) error {
	f, ok := nativeFormats[o.Format]
	if !ok {
		return checkFormat(o.Format)
	}
	native, canonical, err := pairBodies(o.Format, f, storm, n, batch)
	if err != nil {
		return err
	}
	var canon, mapped, ratios []float64
	for i := range formatPairs {
		o.progress("w2: pair %d of %d, batched %d as %s and as canonical", i+1, formatPairs, batch, o.Format)
		var c, m float64
		runCanon := func() (err error) { c, err = bodiesRun(ctx, o, "", "", canonical, n); return err }
		runNative := func() (err error) { m, err = bodiesRun(ctx, o, o.Format, f.settings, native, n); return err }
		if err := inTurn(i, runCanon, runNative); err != nil {
			return err
		}
		canon, mapped, ratios = append(canon, c), append(mapped, m), append(ratios, m/c)
	}
	res.add(fmt.Sprintf("batched %d canonical (the same alerts), median of %d: alerts/s", batch, formatPairs), median(canon), "alerts/s")
	res.add(fmt.Sprintf("batched %d as %s, median of %d: alerts/s", batch, o.Format, formatPairs), median(mapped), "alerts/s")
	res.atLeast(o.Format+" / canonical", median(ratios), "ratio", 0.8)
	return nil
}

// inTurn runs a then b, or b then a in odd rounds, so that a drift of
// the shared machine's load favours neither side of a comparison.
func inTurn(round int, a, b func() error) error {
	if round%2 == 1 {
		a, b = b, a
	}
	if err := a(); err != nil {
		return err
	}
	return b()
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	return s[len(s)/2]
}

// pairBodies returns the storm's first n alerts in bodies of batch as the
// format sends them, and the canonical bodies of the alerts the built-in
// mapping makes of each.
func pairBodies(format string, f nativeFormat, storm Storm, n, batch int) (native, canonical [][]byte, err error) {
	dec, err := source.MustLoadBuiltins().NewDecoder(format, []byte(f.settings))
	if err != nil {
		return nil, nil, fmt.Errorf("decoder of %s: %w", format, err)
	}
	for from := 0; from < n; from += batch {
		body := storm.nativeBody(f, from, min(batch, n-from))
		alerts, err := dec.Decode(body, time.Now)
		if err != nil {
			return nil, nil, fmt.Errorf("the %s body of alerts %d+: %w", format, from, err)
		}
		canon, err := json.Marshal(alerts)
		if err != nil {
			return nil, nil, err
		}
		native, canonical = append(native, body), append(canonical, canon)
	}
	return native, canonical, nil
}

// formatRun sends the storm's first n alerts in the format's own bodies
// to a fresh app; see bodiesRun.
func formatRun(ctx context.Context, o Options, storm Storm, n, batch int) (float64, error) {
	f, ok := nativeFormats[o.Format]
	if !ok {
		return 0, checkFormat(o.Format)
	}
	native, _, err := pairBodies(o.Format, f, storm, n, batch)
	if err != nil {
		return 0, err
	}
	return bodiesRun(ctx, o, o.Format, f.settings, native, n)
}

// bodiesRun sends bodies holding n alerts to a fresh app from
// ingestClients clients, to a source of the format (its own canonical
// source when format is empty), and returns the alerts per second. It
// checks that every alert was stored, so a body the format no longer
// reads cannot pass for a fast one.
func bodiesRun(ctx context.Context, o Options, format, settings string, bodies [][]byte, n int) (float64, error) {
	e, err := startEnv(ctx, o, driver.SimOptions{}, nil)
	if err != nil {
		return 0, err
	}
	defer e.Close()
	token := e.Token
	if format != "" {
		token = ingest.NewToken("tbs_")
		err = e.App.Store.CreateSource(ctx, store.Source{
			TenantID: store.DefaultTenant, ID: "bench-" + format, Name: "bench " + format,
			TokenHash: ingest.HashToken(token), Format: format, Settings: []byte(settings),
		})
		if err != nil {
			return 0, fmt.Errorf("create the %s source: %w", format, err)
		}
	}
	s := NewSender(e.BaseURL, token, ingestClients)
	start := time.Now()
	if _, err := s.SendAll(ctx, len(bodies), func(i int) []byte { return bodies[i] }, ingestClients); err != nil {
		return 0, err
	}
	rate := float64(n) / time.Since(start).Seconds()
	stored, err := e.App.Store.CountAlertsSince(ctx, store.DefaultTenant, time.Time{})
	if err != nil {
		return 0, fmt.Errorf("count the alerts: %w", err)
	}
	if stored != int64(n) {
		return 0, fmt.Errorf("%d alerts stored of %d sent", stored, n)
	}
	return rate, nil
}
