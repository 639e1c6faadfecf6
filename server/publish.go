package server

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"

	"github.com/pushlab/pushlab/apierror"
	"github.com/pushlab/pushlab/state"
)

// publishRequest is the body of POST /api/publish.
type publishRequest struct {
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
}

// servePublish serves POST /api/publish: a client publishes a chat update
// over HTTP. The body is limited; a foreign page may not publish.
func (s *Server) servePublish(w http.ResponseWriter, r *http.Request) {
	if !s.sameOrigin(r) {
		apierror.Write(w, http.StatusForbidden, "origin not allowed")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		apierror.Write(w, http.StatusUnsupportedMediaType, "Content-Type: want application/json")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.ReadLimit)
	var req publishRequest
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			apierror.Write(w, http.StatusRequestEntityTooLarge, "body larger than the limit")
			return
		}
		apierror.Write(w, http.StatusBadRequest, "body: want {\"kind\":\"chat\",\"data\":...}")
		return
	}
	if req.Kind == "" {
		req.Kind = state.KindChat
	}
	if req.Kind != state.KindChat {
		apierror.Write(w, http.StatusBadRequest, "kind: clients publish chat only")
		return
	}
	if len(req.Data) == 0 || string(req.Data) == "null" {
		apierror.Write(w, http.StatusBadRequest, "data: required")
		return
	}
	u, err := s.store.Publish(req.Kind, req.Data)
	if errors.Is(err, state.ErrUnavailable) {
		// Nothing was published: the client may send the same again.
		w.Header().Set("Retry-After", "1")
		apierror.Write(w, http.StatusServiceUnavailable, "broker unreachable: the update was not published; try again")
		return
	}
	if err != nil {
		apierror.Write(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]uint64{"v": u.V})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
