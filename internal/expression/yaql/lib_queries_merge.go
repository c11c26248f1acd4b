package yaql

import "github.com/bora-workflow/bora/internal/value"

// mergeWith: deep merge of dicts.

func fnMergeWith(c *Call) (any, error) {
	listMerger, itemMerger := c.lambdaArg(2), c.lambdaArg(3)
	maxLevels, _ := toInt64(c.Args[4])
	return c.st.mergeDicts(c.Args[0].(*value.Map), c.Args[1].(*value.Map), listMerger, itemMerger, maxLevels)
}

// mergeDicts is yaql's _merge_dicts: dicts merge recursively, lists go
// through listMerger (default: distinct concatenation), anything else
// through itemMerger (default: the second value wins).
func (st *evalState) mergeDicts(a, b *value.Map, listMerger, itemMerger *Lambda, maxLevels int64) (*value.Map, error) {
	if err := st.charge(a.Len() + b.Len()); err != nil {
		return nil, err
	}
	out := value.NewMap(a.Len() + b.Len())
	for _, k := range a.Keys() {
		v1, _ := a.Get(k)
		out.Set(k, v1)
		v2, ok := b.Get(k)
		if !ok {
			continue
		}
		m2, isMap2 := v2.(*value.Map)
		switch {
		case maxLevels != 1 && isMap2:
			m1, isMap1 := v1.(*value.Map)
			if !isMap1 {
				return nil, errf(KindType, "cannot merge %s with %s", typeName(v1), typeName(v2))
			}
			next := int64(0)
			if maxLevels != 0 {
				next = maxLevels - 1
			}
			merged, err := st.mergeDicts(m1, m2, listMerger, itemMerger, next)
			if err != nil {
				return nil, err
			}
			out.Set(k, merged)
		case maxLevels != 1 && isSequence(v2):
			if !isSequence(v1) {
				return nil, errf(KindType, "cannot merge %s with %s", typeName(v1), typeName(v2))
			}
			var merged any
			if listMerger != nil {
				r, err := listMerger.Call(v1, v2)
				if err != nil {
					return nil, err
				}
				merged = r
			} else {
				seen := NewSet()
				list := []any{}
				for _, e := range append(append([]any{}, v1.([]any)...), v2.([]any)...) {
					if !seen.Has(e) {
						seen.Add(e)
						list = append(list, e)
					}
				}
				merged = list
			}
			out.Set(k, merged)
		default:
			merged := v2
			if itemMerger != nil {
				r, err := itemMerger.Call(v1, v2)
				if err != nil {
					return nil, err
				}
				merged = r
			}
			out.Set(k, merged)
		}
	}
	for _, k := range b.Keys() {
		if !out.Has(k) {
			v2, _ := b.Get(k)
			out.Set(k, v2)
		}
	}
	return out, nil
}
