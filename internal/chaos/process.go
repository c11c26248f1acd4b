package chaos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is one bora process the harness started.
type Process struct {
	Name    string   // engine-2, executor-1, …: unique within a cluster
	Roles   []string // the --roles it runs (empty for other commands)
	Addr    string   // its API address when it runs the api role
	LogPath string   // its stdout and stderr

	owner  string // the lease owner name, when the harness chose it
	cmd    *exec.Cmd
	done   chan struct{} // closed when it exited
	mu     sync.Mutex
	err    error // its exit status once done
	paused bool
}

// PID is the process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// LeaseOwner is the name its executor leases work items under: the name
// the harness gave a remote executor, or, for `bora server`, the host and
// the pid.
func (p *Process) LeaseOwner() string {
	if p.owner != "" {
		return p.owner
	}
	host, err := os.Hostname()
	if err != nil {
		host = "bora"
	}
	return host + "-" + strconv.Itoa(p.PID())
}

// Complaints returns the last n WARN and ERROR lines of the log, which
// is what explains a failed scenario once the temporary logs are gone.
func (p *Process) Complaints(n int) string {
	raw, err := os.ReadFile(p.LogPath)
	if err != nil {
		return err.Error()
	}
	var lines []string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Remote reports whether this is a remote executor (`bora executor`).
func (p *Process) Remote() bool { return p.owner != "" }

// Has reports whether the process runs role.
func (p *Process) Has(role string) bool {
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Paused reports whether the process is stopped by SIGSTOP.
func (p *Process) Paused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// Kill sends SIGKILL and waits for the process to be gone: a crash.
func (p *Process) Kill() error {
	if err := p.signal(syscall.SIGKILL); err != nil {
		return err
	}
	<-p.done
	return nil
}

// Pause sends SIGSTOP: the process freezes with its connections and
// leases as they are (a long GC pause, a frozen VM, a partition).
func (p *Process) Pause() error {
	if err := p.signal(syscall.SIGSTOP); err != nil {
		return err
	}
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
	return nil
}

// Resume sends SIGCONT.
func (p *Process) Resume() error {
	if err := p.signal(syscall.SIGCONT); err != nil {
		return err
	}
	p.mu.Lock()
	p.paused = false
	p.mu.Unlock()
	return nil
}

// Terminate sends SIGTERM (a graceful stop) and waits up to timeout for
// the process to exit; it returns the exit status (nil for exit 0).
func (p *Process) Terminate(ctx context.Context, timeout time.Duration) error {
	if p.Paused() {
		if err := p.Resume(); err != nil {
			return err
		}
	}
	if err := p.signal(syscall.SIGTERM); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return p.Wait(ctx)
}

// Wait waits for the process to exit and returns its exit status.
func (p *Process) Wait(ctx context.Context) error {
	select {
	case <-p.done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.err
	case <-ctx.Done():
		return fmt.Errorf("wait for %s (pid %d): %w", p.Name, p.PID(), ctx.Err())
	}
}

func (p *Process) signal(sig syscall.Signal) error {
	if p.Exited() {
		return fmt.Errorf("signal %s to %s: %w", sig, p.Name, errExited)
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signal %s to %s (pid %d): %w", sig, p.Name, p.PID(), err)
	}
	return nil
}

var errExited = errors.New("the process has exited")

// reap waits for the process and records its status.
func (p *Process) reap(logFile *os.File) {
	err := p.cmd.Wait()
	_ = logFile.Close()
	p.mu.Lock()
	p.err = err
	p.paused = false
	p.mu.Unlock()
	close(p.done)
}
