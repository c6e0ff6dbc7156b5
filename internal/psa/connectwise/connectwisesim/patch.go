package connectwisesim

import (
	"encoding/json"
	"strconv"
	"strings"
)

// patchOp is one JSON-Patch operation as ConnectWise takes them.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// wireForm is a record as a client would have read it, in JSON-decoded
// types, ready for a patch to apply to and re-validate.
func wireForm(o obj) map[string]any {
	b, _ := json.Marshal(render(o, ""))
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// readPatch decodes a JSON-Patch array body.
func readPatch(c *call, resource string) ([]patchOp, error) {
	var ops []patchOp
	if err := readJSON(c, "patch operations for "+resource, &ops); err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, badRequest("The patch operations list is empty.")
	}
	return ops, nil
}

// applyPatch applies ops to doc. Paths may omit the leading slash
// ("status", "/status/id"); names match case-insensitively; add and
// replace create missing intermediate objects.
func applyPatch(doc map[string]any, ops []patchOp) error {
	for _, op := range ops {
		segs := strings.Split(strings.Trim(op.Path, "/"), "/")
		if strings.Trim(op.Path, "/") == "" {
			return badRequest("Patch operation %q needs a path.", op.Op)
		}
		for i, s := range segs {
			segs[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
		}
		switch strings.ToLower(op.Op) {
		case "add", "replace":
			if err := setPath(doc, segs, op.Value); err != nil {
				return err
			}
		case "remove":
			setPath(doc, segs, nil) //nolint:errcheck // removing what is not there is a no-op
		default:
			return badRequest("Unsupported patch operation %q; use add, replace or remove.", op.Op)
		}
	}
	return nil
}

// setPath sets (or with nil, removes) the value at segs.
func setPath(doc map[string]any, segs []string, v any) error {
	cur := doc
	for i, seg := range segs {
		key := matchKey(cur, seg)
		if i == len(segs)-1 {
			if v == nil {
				delete(cur, key)
			} else {
				cur[key] = v
			}
			return nil
		}
		switch next := cur[key].(type) {
		case map[string]any:
			cur = next
		case []any:
			return setIndex(next, segs[i+1:], v)
		case nil:
			if v == nil {
				return nil
			}
			m := map[string]any{}
			cur[key] = m
			cur = m
		default:
			return badRequest("Patch path /%s goes through a value that is not an object.", strings.Join(segs, "/"))
		}
	}
	return nil
}

// setIndex sets an array element addressed by a numeric index; only one
// level below the array is supported.
func setIndex(list []any, segs []string, v any) error {
	i, err := strconv.Atoi(segs[0])
	if err != nil || i < 0 || i >= len(list) {
		return badRequest("Patch path index %q is out of range.", segs[0])
	}
	if len(segs) == 1 {
		list[i] = v
		return nil
	}
	m, ok := list[i].(map[string]any)
	if !ok {
		return badRequest("Patch path goes through an array element that is not an object.")
	}
	return setPath(m, segs[1:], v)
}

// matchKey returns the existing key of m equal to seg ignoring case, or seg.
func matchKey(m map[string]any, seg string) string {
	if _, ok := m[seg]; ok {
		return seg
	}
	for k := range m {
		if strings.EqualFold(k, seg) {
			return k
		}
	}
	return seg
}
