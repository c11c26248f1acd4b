package api

import "github.com/bora-workflow/bora/internal/engine"

// The real engine is what the server is given in production.
var _ Engine = (*engine.Engine)(nil)
