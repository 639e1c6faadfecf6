package charts

import (
	"testing"

	"github.com/pushlab/pushlab/transport"
)

func TestEveryTransportHasALook(t *testing.T) {
	for _, name := range transport.Names() {
		if _, ok := looks[name]; !ok {
			t.Errorf("transport %q has no colour and marker in charts' looks", name)
		}
	}
}
