// Package id makes the identifiers of stored rows: random (version 4)
// UUIDs in their usual text form, as Mistral uses.
package id

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a new random UUID such as "1e2021dd-f17e-4900-a907-5faddb9459e1".
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
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
