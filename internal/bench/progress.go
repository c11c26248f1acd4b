package bench

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress draws one bar on a terminal while a workflow's executions run.
// It is safe for the concurrent executions of a round to call Step.
type Progress struct {
	w     io.Writer
	mu    sync.Mutex
	name  string
	total int
	done  int
	began time.Time
	drawn time.Time
}

// barWidth is the bar's length in cells.
const barWidth = 30

// redrawEvery throttles redraws: thousands of tiny executions would
// otherwise spend their time writing to the terminal.
const redrawEvery = 100 * time.Millisecond

// NewProgress returns a bar drawn on w, which should be a terminal (the
// bar rewrites its line with \r).
func NewProgress(w io.Writer) *Progress { return &Progress{w: w} }

// Begin starts a bar for total executions of one workflow.
func (p *Progress) Begin(name string, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.name, p.total, p.done, p.began = name, total, 0, time.Now()
	p.draw()
}

// Step counts one finished execution.
func (p *Progress) Step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.done == p.total || time.Since(p.drawn) >= redrawEvery {
		p.draw()
	}
}

// End erases the bar, leaving the line clean for the report.
func (p *Progress) End() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\x1b[K")
}

func (p *Progress) draw() {
	p.drawn = time.Now()
	fmt.Fprint(p.w, "\r\x1b[K"+progressLine(p.name, p.done, p.total, time.Since(p.began)))
}

// progressLine renders "seq_100 [#######.......]  3/10  1.2s".
func progressLine(name string, done, total int, elapsed time.Duration) string {
	filled := 0
	if total > 0 {
		filled = min(barWidth, done*barWidth/total)
	}
	return fmt.Sprintf("%s [%s%s] %d/%d  %.1fs", name,
		strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), done, total, elapsed.Seconds())
}
