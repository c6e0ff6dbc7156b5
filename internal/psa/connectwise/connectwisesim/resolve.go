package connectwisesim

import (
	"strings"
)

// walk reads path from o for conditions. A null on the way reads as null;
// an unknown field or a path into an array is a 400, as the array needs
// childConditions.
func walk(o obj, path []string, resource string) (any, error) {
	var cur any = o
	for i, seg := range path {
		switch x := cur.(type) {
		case nil:
			return nil, nil
		case obj:
			v, ok := field(x, seg)
			if !ok {
				return nil, badRequest("Unknown field %s on %s.", strings.Join(path[:i+1], "/"), resource)
			}
			cur = v
		case []obj:
			return nil, badRequest("%s is a list; filter on it with childConditions.", strings.Join(path[:i], "/"))
		default:
			return nil, badRequest("%s has no field %s.", strings.Join(path[:i], "/"), seg)
		}
	}
	return cur, nil
}

// matches evaluates conditions on o.
func matches(e condExpr, o obj, resource string) (bool, error) {
	if e == nil {
		return true, nil
	}
	return e.eval(func(p []string) (any, error) { return walk(o, p, resource) })
}

// childMatches evaluates childConditions on o: paths whose first segment
// names an array field (types, communicationItems) read from one element,
// and o matches when some choice of elements satisfies the whole
// expression — so "communicationItems/value=... AND
// communicationItems/communicationType=..." holds on one item.
func childMatches(e condExpr, o obj, resource string) (bool, error) {
	if e == nil {
		return true, nil
	}
	var roots []string
	arrays := map[string][]obj{}
	e.paths(func(p []string) {
		key := strings.ToLower(p[0])
		if _, seen := arrays[key]; seen {
			return
		}
		if v, ok := field(o, p[0]); ok {
			if list, ok := v.([]obj); ok {
				arrays[key] = list
				roots = append(roots, key)
			}
		}
	})
	bound := map[string]obj{}
	return bindEach(roots, arrays, bound, func() (bool, error) {
		return e.eval(func(p []string) (any, error) {
			if el, ok := bound[strings.ToLower(p[0])]; ok {
				return walk(el, p[1:], resource)
			}
			return walk(o, p, resource)
		})
	})
}

// bindEach tries every combination of elements of the arrays in roots.
func bindEach(roots []string, arrays map[string][]obj, bound map[string]obj, test func() (bool, error)) (bool, error) {
	if len(roots) == 0 {
		return test()
	}
	for _, el := range arrays[roots[0]] {
		bound[roots[0]] = el
		if ok, err := bindEach(roots[1:], arrays, bound, test); ok || err != nil {
			return ok, err
		}
	}
	delete(bound, roots[0])
	return false, nil
}

// customMatches evaluates customFieldConditions (caption="Region" AND
// value="West") on the elements of o's customFields.
func customMatches(e condExpr, o obj, resource string) (bool, error) {
	if e == nil {
		return true, nil
	}
	fields, _ := o["customFields"].([]obj)
	for _, cf := range fields {
		if ok, err := matches(e, cf, resource); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// project keeps only the fields paths name, nested as in the record.
func project(o obj, paths [][]string) obj {
	out := obj{}
	for _, p := range paths {
		var cur any = o
		for _, seg := range p {
			x, ok := cur.(obj)
			if !ok {
				cur = nil
				break
			}
			cur, _ = field(x, seg)
		}
		if cur == nil {
			continue
		}
		dst := out
		for _, seg := range p[:len(p)-1] {
			next, ok := dst[seg].(obj)
			if !ok {
				next = obj{}
				dst[seg] = next
			}
			dst = next
		}
		dst[p[len(p)-1]] = cur
	}
	return out
}
