package suite

import (
	"time"

	"github.com/pushlab/pushlab/bench"
)

// variantCookieBytes is the cookie of the suite's cookie run: a logged-in
// site's session and preferences (0.5 to 4 kB is common).
const variantCookieBytes = 2000

// clientVariants are one scenario run with different clients, for the
// report's "What a browser pays": browser clients (the reference column),
// Go's lean client, a browser with a cookie, a browser over HTTPS (h2 for
// HTTP, WebSocket on HTTP/1.1), and a browser against a compressing
// server. They run without chat, so that every column counts the same
// stream of ticks (a few Poisson chats more or less would move bytes per
// update by several percent), and with a shorter window than the default:
// per-update and per-request figures need no more, and the five runs stay
// near a minute and a quarter.
func clientVariants(def bench.Scenario) []Entry {
	variant := func(name string, set func(*bench.Scenario)) Entry {
		s := def
		s.Name = name
		s.ChatRate = 0
		s.Warmup = bench.Duration(500 * time.Millisecond)
		s.Duration = bench.Duration(2 * time.Second)
		set(&s)
		return Entry{name, s}
	}
	return []Entry{
		variant("browser", func(*bench.Scenario) {}),
		variant("lean", func(s *bench.Scenario) { s.Profile = bench.ProfileLean }),
		variant("cookie", func(s *bench.Scenario) { s.CookieBytes = variantCookieBytes }),
		variant("h2", func(s *bench.Scenario) { s.TLS = true }),
		variant("compress", func(s *bench.Scenario) { s.Compress = true }),
	}
}
