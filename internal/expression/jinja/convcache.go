package jinja

import (
	"context"

	"github.com/bora-workflow/bora/internal/value"
)

// convCache remembers the gonja form of the data of one evaluation pass.
// Converting is O(size of the data), and a workflow value often holds
// several Jinja strings evaluated against the same data in a row.
type convCache struct {
	data any // the *value.Map converted
	conv any
}

type convCacheKey struct{}

// WithConversionCache returns a context under which evaluations reuse the
// conversion of data they share. The caller promises that data given to
// evaluations under it is not modified meanwhile (true for one
// Evaluator.Evaluate pass). Not safe for concurrent evaluations.
func WithConversionCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, convCacheKey{}, &convCache{})
}

// convertData converts data, through the context's cache when there is one.
func convertData(ctx context.Context, data any) any {
	c, _ := ctx.Value(convCacheKey{}).(*convCache)
	if c == nil || !cacheable(data) {
		return toGonja(data)
	}
	if c.data != data {
		c.data, c.conv = data, toGonja(data)
	}
	return c.conv
}

// cacheable: a *value.Map is identified by its pointer; other data is
// small (scalars) or not comparable ([]any).
func cacheable(data any) bool {
	_, ok := data.(*value.Map)
	return ok
}
