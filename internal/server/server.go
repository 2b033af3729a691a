package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/crmguard/crmguard/internal/console"
	"github.com/crmguard/crmguard/internal/emulator"
	"github.com/crmguard/crmguard/internal/oauth"
	"github.com/crmguard/crmguard/internal/openapi"
	"github.com/crmguard/crmguard/internal/web"
	"github.com/crmguard/crmguard/internal/zohoapi"
)

// Parts are the pieces the handler tree is made of.
type Parts struct {
	API     *zohoapi.API
	OAuth   *oauth.Endpoints
	Console *console.Console
	// Emulator, when not nil, adds the control API under emulator.Prefix
	// and wraps the tree with its middleware.
	Emulator *emulator.Emulator
	Metrics  *web.Metrics
	Log      *slog.Logger
	// Ready reports whether the server can serve (the database answers).
	Ready func(ctx context.Context) error
	// ClientIP tells client addresses and whether a request came over HTTPS.
	ClientIP web.ClientIP
	// SeparateMetrics leaves /metrics out: it is served on its own address.
	SeparateMetrics bool
}

// Handler builds the whole handler tree.
func Handler(p Parts) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := p.Ready(ctx); err != nil {
			p.Log.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	if !p.SeparateMetrics {
		mux.Handle("GET /metrics", p.Metrics.Handler())
	}
	// The OpenAPI description of everything below; no Zoho URL uses the path.
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		_ = web.WriteRawJSON(w, http.StatusOK, openapi.Document())
	})
	p.OAuth.Register(mux)
	p.API.Register(mux)
	p.Console.Register(mux)
	// Anything else is not a URL crmguard knows; answer as Zoho does.
	mux.Handle("/", web.Handler{Log: p.Log, Fn: func(w http.ResponseWriter, r *http.Request) error {
		return zohoapi.ErrURLPattern
	}})
	var h http.Handler = mux
	if p.Emulator != nil {
		p.Emulator.Register(mux)
		h = p.Emulator.Wrap(mux)
	}
	return web.Observe(web.SecurityHeaders(h, &p.ClientIP), p.Log, p.Metrics)
}

// Serve serves h on ln until ctx ends, then stops gracefully: it stops
// accepting, lets requests in flight finish (up to grace), and returns.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, grace time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
