package polling

import (
	"net/http"
	"strconv"
	"strings"
)

// ServeState serves GET /api/state: the snapshot with ETag "<v>". A client
// whose If-None-Match names the latest version gets 304 and no body.
func (p *Poller) ServeState(w http.ResponseWriter, r *http.Request) {
	snap := p.store.Snapshot()
	etag := `"` + strconv.FormatUint(snap.V, 10) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-store")
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		if p.meter != nil {
			p.meter.Empty(r)
		}
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(snap.Raw)))
	w.Write(snap.Raw)
	if p.meter != nil {
		p.meter.Deliver(r, 1)
	}
}

// etagMatches applies If-None-Match's list syntax (RFC 9110 §13.1.2).
func etagMatches(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || tag == etag || tag == "W/"+etag {
			return true
		}
	}
	return false
}
