//go:build linux

package crashtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/source"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

// TestMailKill9 sends a burst of notification mails over SMTP while serve
// is killed with SIGKILL at random moments and restarted, then opens the
// database and checks that every mail answered 250 has its alert. A mail
// whose answer was lost with the process is sent again, as an MTA would.
func TestMailKill9(t *testing.T) {
	gate(t)
	mails, kills := envInt(t, "TICKETBRIDGE_CRASHTEST_MAILS", 500), envInt(t, "TICKETBRIDGE_CRASHTEST_KILLS", 10)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin := buildBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	smtpAddr := ln.Addr().String()
	ln.Close()
	a := &app{t: t, bin: bin, dir: t.TempDir(), adminToken: "tba_crashtest_admin_token_0123456789"}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a.addr = hl.Addr().String()
	hl.Close()
	a.env = append(os.Environ(), "TICKETBRIDGE_DATA_DIR="+a.dir, "TICKETBRIDGE_ADDR="+a.addr,
		"TICKETBRIDGE_ADMIN_TOKEN="+a.adminToken, "TICKETBRIDGE_LOG_LEVEL=warn", "TICKETBRIDGE_SMTP_ADDR="+smtpAddr)
	t.Cleanup(a.stop)
	a.start(ctx)
	var res struct{ Token string }
	err = a.admin(ctx, "POST", "/api/v1/sources", map[string]any{"id": "mail", "name": "mail",
		"settings": map[string]any{"default_organization": map[string]string{"id": "org-42"}}}, &res)
	if err != nil {
		t.Fatal(err)
	}
	rcpt := "alerts+" + res.Token + "@tb.example"

	var mu sync.Mutex
	acked := map[string]bool{} // Message-IDs answered 250
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < mails && ctx.Err() == nil; i++ {
			id := fmt.Sprintf("<burst-%05d@trendmicro.example>", i)
			msg := fmt.Sprintf("From: noreply@trendmicro.example\r\nSubject: [TM] New risk event %d\r\nMessage-ID: %s\r\n\r\nRisk level: High\r\n", i, id)
			for ctx.Err() == nil {
				if err := smtp.SendMail(smtpAddr, nil, "noreply@trendmicro.example", []string{rcpt}, []byte(msg)); err == nil {
					mu.Lock()
					acked[id] = true
					mu.Unlock()
					break
				}
				time.Sleep(20 * time.Millisecond) // serve is down or said 451: send again
			}
		}
	}()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for k := 0; k < kills && ctx.Err() == nil; k++ {
		time.Sleep(100*time.Millisecond + time.Duration(rng.Int64N(int64(900*time.Millisecond))))
		a.kill()
		a.start(ctx)
	}
	wg.Wait()
	a.kill()

	st, err := sqlite.Open(ctx, filepath.Join(a.dir, "ticketbridge.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var lost []string
	for id := range acked {
		alertID := source.MailAlertID(source.MailMessage{MessageID: id})
		if _, err := st.AlertBySourceID(ctx, store.DefaultTenant, "mail", alertID); err != nil {
			lost = append(lost, id)
		}
	}
	t.Logf("%d mails answered 250 across %d kills; %d without an alert", len(acked), kills, len(lost))
	if len(acked) != mails || len(lost) > 0 {
		t.Errorf("%d of %d mails acknowledged; lost: %v", len(acked), mails, head(lost))
	}
}
