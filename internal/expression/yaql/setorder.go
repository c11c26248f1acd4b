package yaql

import (
	"math"
	"math/big"
)

// Python iterates a set in hash-table slot order, not insertion order.
// For integers the hash is the value itself (mod 2**61-1), so that order is
// deterministic and workflows can observe it ($.ids.toSet().toList() comes
// out nearly sorted). pythonSetOrder replays CPython 3's set insertion
// algorithm for sets of numbers; other sets (strings hash with a random
// seed in Python) keep insertion order.

const (
	setLinearProbes = 9
	setPerturbShift = 5
	pyHashModulus   = (1 << 61) - 1
)

// pyNumberHash is Python's hash() of an int, bool or integral float.
func pyNumberHash(v any) (int64, bool) {
	var b *big.Int
	switch t := v.(type) {
	case bool:
		if t {
			return 1, true
		}
		return 0, true
	case int64:
		if t > -pyHashModulus && t < pyHashModulus {
			if t == -1 {
				return -2, true
			}
			return t, true
		}
		b = big.NewInt(t)
	case *big.Int:
		b = t
	case float64:
		if t != math.Trunc(t) || math.IsInf(t, 0) {
			return 0, false
		}
		b, _ = new(big.Float).SetFloat64(t).Int(nil)
	default:
		return 0, false
	}
	m := new(big.Int).Rem(new(big.Int).Abs(b), big.NewInt(pyHashModulus)).Int64()
	if b.Sign() < 0 {
		m = -m
	}
	if m == -1 {
		m = -2
	}
	return m, true
}

type setSlot struct {
	used bool
	hash uint64
	idx  int
}

// pythonSetOrder returns the indexes of items in CPython's iteration order,
// or nil when some element's hash is not deterministic.
func pythonSetOrder(items []any) []int {
	if len(items) < 2 {
		return nil
	}
	hashes := make([]uint64, len(items))
	for i, v := range items {
		h, ok := pyNumberHash(v)
		if !ok {
			return nil
		}
		hashes[i] = uint64(h)
	}
	table := make([]setSlot, 8)
	fill := 0
	for i, h := range hashes {
		insertClean(table, h, i)
		fill++
		mask := len(table) - 1
		if fill*5 >= mask*3 {
			minUsed := fill * 4
			if fill > 50000 {
				minUsed = fill * 2
			}
			size := 8
			for size <= minUsed {
				size <<= 1
			}
			bigger := make([]setSlot, size)
			for _, s := range table {
				if s.used {
					insertClean(bigger, s.hash, s.idx)
				}
			}
			table = bigger
		}
	}
	order := make([]int, 0, len(items))
	for _, s := range table {
		if s.used {
			order = append(order, s.idx)
		}
	}
	return order
}

// insertClean is CPython's set_insert_clean (no deleted entries exist in
// freshly built sets, so the first free slot on the probe path wins).
func insertClean(table []setSlot, hash uint64, idx int) {
	mask := uint64(len(table) - 1)
	perturb := hash
	i := hash & mask
	for {
		if !table[i].used {
			table[i] = setSlot{used: true, hash: hash, idx: idx}
			return
		}
		if i+setLinearProbes <= mask {
			for j := uint64(1); j <= setLinearProbes; j++ {
				if !table[i+j].used {
					table[i+j] = setSlot{used: true, hash: hash, idx: idx}
					return
				}
			}
		}
		perturb >>= setPerturbShift
		i = (i*5 + 1 + perturb) & mask
	}
}

// ordered returns the set's elements in the order Python would iterate them.
func (s *Set) ordered() []any {
	if s.keysView {
		return s.items
	}
	if s.order == nil {
		idx := pythonSetOrder(s.items)
		if idx == nil {
			s.order = s.items
		} else {
			s.order = make([]any, len(idx))
			for i, j := range idx {
				s.order[i] = s.items[j]
			}
		}
	}
	return s.order
}
