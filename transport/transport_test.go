package transport

import "testing"

func TestTableIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for i, tr := range All() {
		if tr.Name == "" || tr.Label == "" || tr.Route == "" {
			t.Errorf("entry %d is missing a name, label or route: %+v", i, tr)
		}
		if seen[tr.Name] || tr.Name == Other {
			t.Errorf("name %q is taken", tr.Name)
		}
		seen[tr.Name] = true
		if Order(tr.Name) != i || !Known(tr.Name) || Label(tr.Name) != tr.Label {
			t.Errorf("%s: Order/Known/Label disagree with the table", tr.Name)
		}
		if tr.Push && !tr.Holds {
			t.Errorf("%s pushes without holding a connection", tr.Name)
		}
	}
	if Known(Other) || Order("nope") != len(All()) || Label("nope") != "nope" {
		t.Error("unknown names must not look known")
	}
}
