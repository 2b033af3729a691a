package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/server"
)

// process is a child process: an instance or the proxy.
type process struct {
	url   string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{}
}

// start runs this program with args, env added to its environment; the
// child prints its URL on its first line and runs until its stdin closes.
func start(env []string, args ...string) (*process, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, stdin: in, done: make(chan struct{})}
	line, err := bufio.NewReader(out).ReadString('\n')
	go func() { _ = cmd.Wait(); close(p.done) }()
	if err != nil {
		p.stop()
		return nil, fmt.Errorf("%v: no URL: %v", args, err)
	}
	p.url = strings.TrimSpace(line)
	return p, nil
}

// stop closes the child's stdin and waits for it (killing it after 10 s).
func (p *process) stop() {
	_ = p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// instanceDatabase is the environment variable that gives a scale
// instance its database.
const instanceDatabase = "CRMGUARD_LOAD_DATABASE"

// serveInstance is the child of -instance: crmguard over the database in
// $CRMGUARD_LOAD_DATABASE, its URL printed, until stdin closes.
func serveInstance(name string) error {
	db := os.Getenv(instanceDatabase)
	if db == "" {
		return fmt.Errorf("-instance %s: %s is unset", name, instanceDatabase)
	}
	ctx := context.Background()
	stack, err := server.Open(ctx, server.Options{
		Path:         db,
		Guard:        guard.Config{Credits: 1 << 40, Concurrency: 1 << 20},
		PollInterval: -1, // SQLite: nothing else writes; PostgreSQL listens regardless
	})
	if err != nil {
		return err
	}
	defer stack.Close()
	u, stop, err := serve(stack.Handler)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Println(u)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// serveProxy is the child of -proxy: roundRobin over the comma-separated
// backends.
func serveProxy(backends string) error {
	var targets []*url.URL
	for b := range strings.SplitSeq(backends, ",") {
		u, err := url.Parse(b)
		if err != nil {
			return err
		}
		targets = append(targets, u)
	}
	u, stop, err := serve(roundRobin(targets))
	if err != nil {
		return err
	}
	defer stop()
	fmt.Println(u)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// roundRobin is a reverse proxy sending each request to the next of
// targets in turn, with keep-alive connections to each.
func roundRobin(targets []*url.URL) http.Handler {
	var n atomic.Uint64
	bufs := sync.Pool{New: func() any { return make([]byte, 32<<10) }}
	return &httputil.ReverseProxy{
		Rewrite:    func(r *httputil.ProxyRequest) { r.SetURL(targets[(n.Add(1)-1)%uint64(len(targets))]) },
		Transport:  &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 512},
		BufferPool: bufferPool{&bufs},
	}
}

type bufferPool struct{ p *sync.Pool }

func (b bufferPool) Get() []byte  { return b.p.Get().([]byte) }
func (b bufferPool) Put(x []byte) { b.p.Put(x) }
