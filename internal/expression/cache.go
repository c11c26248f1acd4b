package expression

import "sync"

// parseCache keeps parsed expressions, bounded: when full, the oldest
// entry is dropped (FIFO), which is enough for workflow specs whose
// expressions repeat.
type parseCache[T any] struct {
	mu    sync.Mutex
	max   int
	items map[string]T
	order []string
}

func newParseCache[T any](max int) *parseCache[T] {
	if max <= 0 {
		max = 4096
	}
	return &parseCache[T]{max: max, items: make(map[string]T)}
}

func (c *parseCache[T]) get(key string, parse func(string) (T, error)) (T, error) {
	c.mu.Lock()
	v, ok := c.items[key]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := parse(key)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; !ok {
		if len(c.order) >= c.max {
			delete(c.items, c.order[0])
			c.order = c.order[1:]
		}
		c.order = append(c.order, key)
		c.items[key] = v
	}
	return v, nil
}
