package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/web"
)

// The whole stored state is replaced in three ways: reset (back to the
// state the server became ready with), restore of a named snapshot, and
// import of an exported document. Each goes through apply, which replaces
// the rows in one transaction and then tells every cache that what it
// holds is gone: the service drops its token key and sign-in failures and
// moves the change epoch (the guard's principals, the API's encoded users
// and ID lists follow it), and the OnRestore hooks run for other in-memory
// state that does not follow the epoch.
//
// Named snapshots live in this process's memory: they are a test's
// checkpoints, not backups, and end with the server. Export writes the
// same document to a file for that.

// MaxImport bounds an import body (POST /import): an export of 10,000 users is a few MiB.
const MaxImport = 256 << 20

var snapshotName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

type savedSnapshot struct {
	snap    *crmguard.Snapshot
	created time.Time
}

// SnapshotInfo describes a saved snapshot.
type SnapshotInfo struct {
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
	Rows      int    `json:"rows"`
}

// MarkInitial records the current state, and the clock's setting, as the
// one reset returns to. The server calls it once start-up (bootstrap, demo,
// seed file, import) is done, before it reports ready.
func (e *Emulator) MarkInitial(ctx context.Context) error {
	s, err := e.state.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("emulator: initial snapshot: %w", err)
	}
	e.mu.Lock()
	e.initial, e.start = s, e.clock.saved()
	e.mu.Unlock()
	return nil
}

// Reset puts back the state the server became ready with, and its clock.
// Named snapshots stay: a test may reset and then restore one of them.
func (e *Emulator) Reset(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.initial == nil {
		return errors.New("emulator: reset before the initial state was recorded")
	}
	if err := e.apply(ctx, e.initial); err != nil {
		return err
	}
	e.clock.restore(e.start)
	return nil
}

// Save keeps the current state under name, replacing a snapshot of that name.
func (e *Emulator) Save(ctx context.Context, name string) (SnapshotInfo, error) {
	if !snapshotName.MatchString(name) {
		return SnapshotInfo{}, badName(name)
	}
	s, err := e.state.Snapshot(ctx)
	if err != nil {
		return SnapshotInfo{}, err
	}
	saved := &savedSnapshot{snap: s, created: e.clock.Now()}
	e.mu.Lock()
	e.snaps[name] = saved
	e.mu.Unlock()
	return saved.info(name), nil
}

// RestoreSnapshot puts back the state saved under name. The clock is left
// where it is: a snapshot holds data, and a test that moved time on wants
// to see that data age.
func (e *Emulator) RestoreSnapshot(ctx context.Context, name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	saved, ok := e.snaps[name]
	if !ok {
		return noSnapshot(name)
	}
	return e.apply(ctx, saved.snap)
}

// DeleteSnapshot forgets the snapshot saved under name.
func (e *Emulator) DeleteSnapshot(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.snaps[name]; !ok {
		return noSnapshot(name)
	}
	delete(e.snaps, name)
	return nil
}

// Snapshots lists the saved snapshots by name.
func (e *Emulator) Snapshots() []SnapshotInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]SnapshotInfo, 0, len(e.snaps))
	for name, s := range e.snaps {
		out = append(out, s.info(name))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Export returns the whole current state.
func (e *Emulator) Export(ctx context.Context) (*crmguard.Snapshot, error) {
	return e.state.Snapshot(ctx)
}

// Import replaces the whole state with s. A document the store refuses
// changes nothing.
func (e *Emulator) Import(ctx context.Context, s *crmguard.Snapshot) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.apply(ctx, s)
}

// apply replaces the stored state and clears what described the old one.
// The caller holds e.mu.
func (e *Emulator) apply(ctx context.Context, s *crmguard.Snapshot) error {
	if err := e.state.Restore(ctx, s); err != nil {
		return err
	}
	if e.svc != nil {
		e.svc.Restored()
	}
	for _, f := range e.restored {
		f()
	}
	return nil
}

func (s *savedSnapshot) info(name string) SnapshotInfo {
	n := 0
	for _, t := range s.snap.Tables {
		n += len(t.Rows)
	}
	return SnapshotInfo{Name: name, CreatedAt: s.created.UTC().Format(time.RFC3339Nano), Rows: n}
}

func badName(name string) error {
	return crmguard.NewError(crmguard.CodeInvalidData, "a snapshot name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
		crmguard.Details{"api_name": "name", "name": name})
}

func noSnapshot(name string) error {
	return &crmguard.Error{Code: crmguard.CodeInvalidData, Status: http.StatusNotFound,
		Message: "no snapshot of that name", Details: crmguard.Details{"api_name": "name", "name": name}}
}

// success is the answer of a control action, in Zoho's envelope.
func success(w http.ResponseWriter, message string, details crmguard.Details) error {
	if details == nil {
		details = crmguard.Details{}
	}
	return web.WriteJSON(w, http.StatusOK, web.Envelope{Code: "SUCCESS", Details: details, Message: message, Status: "success"})
}

func (e *Emulator) registerState(mux *http.ServeMux) {
	e.handle(mux, "POST "+Prefix+"reset", func(w http.ResponseWriter, r *http.Request) error {
		start := time.Now()
		if err := e.Reset(r.Context()); err != nil {
			return err
		}
		took := time.Since(start)
		e.log.Info("emulator reset", "took", took)
		return success(w, "state reset", crmguard.Details{"took_ms": took.Milliseconds()})
	})
	e.handle(mux, "GET "+Prefix+"snapshots", func(w http.ResponseWriter, r *http.Request) error {
		return web.WriteJSON(w, http.StatusOK, map[string]any{"snapshots": e.Snapshots()})
	})
	e.handle(mux, "POST "+Prefix+"snapshots/{name}", func(w http.ResponseWriter, r *http.Request) error {
		info, err := e.Save(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		return success(w, "snapshot saved", crmguard.Details{"name": info.Name, "created_at": info.CreatedAt, "rows": info.Rows})
	})
	e.handle(mux, "POST "+Prefix+"snapshots/{name}/restore", func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		if err := e.RestoreSnapshot(r.Context(), name); err != nil {
			return err
		}
		return success(w, "snapshot restored", crmguard.Details{"name": name})
	})
	e.handle(mux, "DELETE "+Prefix+"snapshots/{name}", func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		if err := e.DeleteSnapshot(name); err != nil {
			return err
		}
		return success(w, "snapshot deleted", crmguard.Details{"name": name})
	})
	e.handle(mux, "GET "+Prefix+"export", func(w http.ResponseWriter, r *http.Request) error {
		s, err := e.Export(r.Context())
		if err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", `attachment; filename="crmguard-export.json"`)
		return web.WriteJSON(w, http.StatusOK, s)
	})
	e.handle(mux, "POST "+Prefix+"import", func(w http.ResponseWriter, r *http.Request) error {
		s, err := ReadSnapshot(http.MaxBytesReader(w, r.Body, MaxImport))
		if err != nil {
			return err
		}
		if err := e.Import(r.Context(), s); err != nil {
			return err
		}
		return success(w, "state imported", nil)
	})
}

// ReadSnapshot decodes an exported document. Numbers stay json.Number, so
// a 19-digit ID comes back exactly as it went out.
func ReadSnapshot(r io.Reader) (*crmguard.Snapshot, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var s crmguard.Snapshot
	if err := dec.Decode(&s); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, crmguard.NewError(crmguard.CodeInvalidData, fmt.Sprintf("the document is larger than %d MiB", MaxImport>>20), nil)
		}
		return nil, crmguard.NewError(crmguard.CodeInvalidData, "the document is not an exported crmguard state: "+err.Error(), nil)
	}
	if dec.More() {
		return nil, crmguard.NewError(crmguard.CodeInvalidData, "the document has more than one JSON value", nil)
	}
	if s.Format != crmguard.SnapshotFormat {
		return nil, crmguard.NewError(crmguard.CodeInvalidData, fmt.Sprintf("the document's format is %q, not %q", s.Format, crmguard.SnapshotFormat),
			crmguard.Details{"api_name": "format"})
	}
	return &s, nil
}
