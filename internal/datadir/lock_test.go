package datadir_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/datadir"
)

// TestLockHeldByAnotherProcess: a lock held by another process refuses
// this one, naming the folder and the holder's pid; once that process is
// gone (killed, not released), the folder can be taken.
func TestLockHeldByAnotherProcess(t *testing.T) {
	if os.Getenv("DATADIR_HOLD") != "" {
		if _, err := datadir.Lock(os.Getenv("DATADIR_HOLD")); err != nil {
			fmt.Println("lock:", err)
			os.Exit(1)
		}
		fmt.Println("held")
		select {} // until killed
	}
	dir := t.TempDir()
	holder := exec.Command(os.Args[0], "-test.run=^TestLockHeldByAnotherProcess$")
	holder.Env = append(os.Environ(), "DATADIR_HOLD="+dir)
	out, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || string(buf) != "held\n" {
		holder.Process.Kill()
		t.Fatalf("holder: %q, %v", buf, err)
	}

	_, err = datadir.Lock(dir)
	abs, _ := filepath.Abs(dir)
	if !errors.Is(err, datadir.ErrLocked) || !strings.Contains(err.Error(), abs) || !strings.Contains(err.Error(), fmt.Sprintf("process %d", holder.Process.Pid)) {
		t.Errorf("second lock: %v; want ErrLocked naming %s and process %d", err, abs, holder.Process.Pid)
	}

	holder.Process.Kill()
	holder.Wait()
	release, err := datadir.Lock(dir)
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	release()
}

// TestLockReleased: a released folder can be locked again in-process.
func TestLockReleased(t *testing.T) {
	dir := t.TempDir()
	release, err := datadir.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	release()
	release, err = datadir.Lock(dir)
	if err != nil {
		t.Fatalf("relock: %v", err)
	}
	release()
}
