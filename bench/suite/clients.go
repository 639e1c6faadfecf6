package suite

import (
	"time"

	"github.com/pushlab/pushlab/bench"
)

// variantCookieBytes is the cookie of the suite's cookie run: a logged-in
// site's session and preferences (0.5 to 4 kB is common).
const variantCookieBytes = 2000

// clientVariants are the default comparison run again with other clients,
// for the report's "What a browser pays": Go's lean client, a browser with
// a cookie, a browser over HTTPS (h2 for HTTP, WebSocket on HTTP/1.1), and
// a browser against a compressing server. Per-update and per-request
// figures do not need the default's long window; a shorter one keeps the
// four runs near a minute.
func clientVariants(def bench.Scenario) []Entry {
	variant := func(name string, set func(*bench.Scenario)) Entry {
		s := def
		s.Name = name
		s.Warmup = bench.Duration(500 * time.Millisecond)
		s.Duration = bench.Duration(2 * time.Second)
		set(&s)
		return Entry{name, s}
	}
	return []Entry{
		variant("lean", func(s *bench.Scenario) { s.Profile = bench.ProfileLean }),
		variant("cookie", func(s *bench.Scenario) { s.CookieBytes = variantCookieBytes }),
		variant("h2", func(s *bench.Scenario) { s.TLS = true }),
		variant("compress", func(s *bench.Scenario) { s.Compress = true }),
	}
}
