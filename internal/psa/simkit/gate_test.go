package simkit

import "testing"

func TestGate(t *testing.T) {
	t.Parallel()
	g := NewGate(2)
	r1, ok1 := g.Acquire("code|tickets")
	_, ok2 := g.Acquire("code|tickets")
	_, ok3 := g.Acquire("code|tickets")
	if !ok1 || !ok2 || ok3 {
		t.Fatalf("acquires = %v %v %v, want true true false", ok1, ok2, ok3)
	}
	if _, ok := g.Acquire("code|companies"); !ok {
		t.Error("another key shares the cap")
	}
	r1()
	r1() // a second release gives nothing back twice
	if got := g.InFlight("code|tickets"); got != 1 {
		t.Errorf("InFlight after one release = %d, want 1", got)
	}
	r4, ok := g.Acquire("code|tickets")
	if !ok {
		t.Fatal("a released place was not given out again")
	}
	if _, ok := g.Acquire("code|tickets"); ok {
		t.Error("a double release let a third request in")
	}
	r4()
}

func TestGateNoLimit(t *testing.T) {
	t.Parallel()
	g := NewGate(0)
	for range 100 {
		if _, ok := g.Acquire(""); !ok {
			t.Fatal("a gate without a limit refused")
		}
	}
	if got := g.InFlight(""); got != 100 {
		t.Errorf("InFlight = %d, want 100", got)
	}
}

func TestGateRefusalReleaseIsHarmless(t *testing.T) {
	t.Parallel()
	g := NewGate(1)
	release, _ := g.Acquire("k")
	refused, ok := g.Acquire("k")
	if ok {
		t.Fatal("second acquire of 1 granted")
	}
	refused() // callers may defer release before checking ok
	if got := g.InFlight("k"); got != 1 {
		t.Errorf("releasing a refusal freed a place: InFlight = %d, want 1", got)
	}
	release()
	if got := g.InFlight("k"); got != 0 {
		t.Errorf("InFlight = %d, want 0", got)
	}
}
