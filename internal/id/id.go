// Package id makes the identifiers of stored rows: time-ordered UUIDs
// (version 7, RFC 9562) in their usual text form, which Mistral's clients
// take as any other UUID.
//
// Time order matters for the store, not for callers: every row's primary
// key and most of its indexes hold ids, and a random id lands on a random
// B-tree page. Once a table outgrows the page cache, each insert of a
// random id dirties a page of its own, and the pages a transaction
// writes (and SQLite's WAL or PostgreSQL's full-page writes copy) grow
// with the size of the table rather than with the transaction: time per
// task rose with the database, not with the workflow. Ids made in the same
// millisecond share their first 48 bits, so inserts land at the right
// edge of each index.
package id

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// New returns a new version 7 UUID such as
// "01a24123-e080-7a4e-9b3c-2f0e8d7c6b5a": the first 48 bits are the Unix
// time in milliseconds, the next 12 (after the version) the fraction of
// that millisecond (RFC 9562's "increased clock precision", ~250 ns
// steps), the remaining 62 (after the variant) random. With the fraction,
// rows made one after another in one transaction — which share their
// created_at — still list in the order they were made (the items of a
// with-items task, say), without a counter shared by every caller.
func New() string {
	return at(time.Now())
}

func at(t time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[8:]) // crypto/rand.Read never fails on supported platforms
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	copy(b[0:6], ms[2:8])
	frac := uint16(int64(t.Nanosecond()%int(time.Millisecond)) * 4096 / int64(time.Millisecond))
	b[6] = 0x70 | byte(frac>>8)
	b[7] = byte(frac)
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
