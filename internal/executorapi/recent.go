package executorapi

import (
	"sync"
	"time"
)

// recent remembers answers by key for a while, oldest dropped first, so
// a call repeated because its answer was lost gets the same answer. It
// is a convenience of one API node: correctness never depends on it (the
// store's lease guard does), only how quickly a lost answer is recovered.
type recent[V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	limit int
	byKey map[string]entry[V]
	order []string // insertion order, for eviction
}

type entry[V any] struct {
	v  V
	at time.Time
}

func newRecent[V any](limit int, ttl time.Duration) *recent[V] {
	return &recent[V]{ttl: ttl, limit: limit, byKey: make(map[string]entry[V], limit)}
}

func (c *recent[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok || time.Since(e.at) > c.ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *recent[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; !ok {
		c.order = append(c.order, key)
	}
	c.byKey[key] = entry[V]{v: v, at: time.Now()}
	for len(c.order) > c.limit {
		delete(c.byKey, c.order[0])
		c.order = c.order[1:]
	}
}

// broadcast wakes every waiter at once: the wake-up hint is one channel
// value, taken by whichever claim sees it first, which passes it on here.
type broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel closed at the next fire.
func (b *broadcast) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

func (b *broadcast) fire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
}
