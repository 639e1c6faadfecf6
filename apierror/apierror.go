// Package apierror writes the one error answer every HTTP route of the lab
// gives: a JSON body {"error":"..."} with a 4xx or 5xx status, so that
// browsers, the bench and outside tools read every refusal the same way.
package apierror

import (
	"encoding/json"
	"net/http"
)

// Write answers with status and {"error": msg}.
func Write(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
