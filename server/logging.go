package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5/middleware"
)

// logRequests logs each request with slog: refused ones (4xx/5xx) at Info,
// so bad input always leaves a line, the rest at Debug, so a 10,000-client
// bench does not drown the log.
func logRequests(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			start := time.Now()
			defer func() {
				level := slog.LevelDebug
				if ww.Status() >= 400 {
					level = slog.LevelInfo
				}
				// Checked first: the attributes below cost allocations on
				// every request, most of them logged at no level shown.
				if !log.Enabled(r.Context(), level) {
					return
				}
				log.Log(r.Context(), level, "request",
					"method", r.Method, "path", r.URL.Path, "status", ww.Status(),
					"bytes", ww.BytesWritten(), "dur", time.Since(start),
					"remote", r.RemoteAddr, "id", middleware.GetReqID(r.Context()))
			}()
			next.ServeHTTP(ww, r)
		})
	}
}
