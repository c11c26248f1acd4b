package dsl

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem found in a document, at the node that causes it.
type Error struct {
	Pos Position
	Msg string
}

// Error formats the problem as "file:line:col: msg", the form editors and
// terminals turn into a link.
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Pos.File, e.Pos.Line, e.Pos.Column, e.Msg)
}

// ErrorList is every problem found in one document, in the order they were
// found. Parse reports all of them at once so a user fixes a document in one
// round trip instead of one error per upload.
type ErrorList []*Error

// Error joins the errors, one per line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// sortByPosition orders the list as the document reads, top to bottom;
// checks run in passes (attributes, then the task graph), so the order
// found is not the order a user fixes them in.
func (l ErrorList) sortByPosition() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}
