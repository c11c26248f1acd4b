package jinja

import (
	"context"
	"errors"
	"regexp"
	"strings"
)

// undefinedName matches gonja's message for an unknown variable.
var undefinedName = regexp.MustCompile(`Unable to evaluate name "([^"]*)"`)

// cleanError drops gonja's wrapping ("unable to execute template: Unable to
// render expression at line 1: ...") when a Python-style error is inside,
// so the message names the actual problem as Mistral's would; gonja's
// unknown-variable error becomes Jinja's "'x' is undefined".
func cleanError(err error) error {
	var pe *PyError
	if errors.As(err, &pe) {
		return pe
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errOutputLimit) {
		return err
	}
	if m := undefinedName.FindStringSubmatch(err.Error()); m != nil {
		return undefinedError("'%s' is undefined", m[1])
	}
	return err
}

// cleanError is cleanError that also recognises errors raised by bora's
// operators, lookups and functions in this evaluation.
func (st *evalState) cleanError(err error) error {
	msg := err.Error()
	for i := len(st.raised) - 1; i >= 0; i-- {
		if strings.Contains(msg, st.raised[i].Error()) {
			return st.raised[i]
		}
	}
	return cleanError(err)
}
