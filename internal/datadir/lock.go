// Package datadir guards a data folder: one serve writes a SQLite
// database at a time, so two cannot run with different views of the
// request budget and the leases.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockFile is the lock's name in the data folder.
const LockFile = "serve.lock"

// ErrLocked means another process holds the data folder.
var ErrLocked = errors.New("data folder in use")

// Lock takes the data folder dir for this process until release is
// called or the process ends (even by SIGKILL: the operating system drops
// the lock with the process, so a crash never leaves the folder locked).
// When another process holds it, the error names the folder and that
// process.
func Lock(dir string) (release func(), err error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data folder: %w", err)
	}
	if err := lockFile(f); err != nil {
		holder := "another process"
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
				holder = fmt.Sprintf("process %d", pid)
			}
		}
		f.Close()
		abs, _ := filepath.Abs(dir)
		return nil, fmt.Errorf("%w: %s is served by %s (another ticketbridge serve): stop it, or give this one its own --data-dir", ErrLocked, abs, holder)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() {
		f.Truncate(0)
		unlockFile(f)
		f.Close()
	}, nil
}
