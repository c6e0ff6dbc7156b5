package driver

import "context"

// CalloutSimulator is implemented by the simulator of a PSA that calls out
// on ticket changes (psa.TicketWebhooks), so that the conformance suite
// can check callouts without knowing the PSA. It is optional because a
// PSA without webhooks has nothing to say here.
type CalloutSimulator interface {
	// SignCallout returns the signature header's value the simulator
	// sends with body when it signs with key.
	SignCallout(body []byte, key string) string
	// CalloutKey is the key the simulator signs with when the PSA picks
	// its own, so the key given at registration goes unused; "" when
	// callouts are signed with the registered key.
	CalloutKey() string
}

// CalloutWaiter is implemented by a CalloutSimulator that delivers
// callouts concurrently, and so may deliver them out of order. One that
// delivers them one at a time, in order, needs no wait: the arrival of a
// later callout says every earlier one has arrived.
type CalloutWaiter interface {
	// WaitCallouts returns once no callout the simulator has started is
	// still being delivered, or when ctx ends.
	WaitCallouts(ctx context.Context)
}
