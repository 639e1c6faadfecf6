package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/pushlab/pushlab/apierror"
)

// methodsTried are the methods a 405's Allow header may list.
var methodsTried = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// methodNotAllowed answers 405 with the Allow header RFC 9110 §15.5.6
// asks for: the methods the router has for the path. chi passes its own
// list only to its default handler, so the router is asked again here.
func methodNotAllowed(router chi.Routes) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range methodsTried {
			if router.Match(chi.NewRouteContext(), m, r.URL.Path) {
				allow = append(allow, m)
			}
		}
		// HEAD is answered by every GET route (middleware.GetHead).
		if slices.Contains(allow, http.MethodGet) && !slices.Contains(allow, http.MethodHead) {
			allow = slices.Insert(allow, 1, http.MethodHead)
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		apierror.Write(w, http.StatusMethodNotAllowed, "method not allowed; allowed: "+strings.Join(allow, ", "))
	}
}
