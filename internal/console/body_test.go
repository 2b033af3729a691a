package console_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// repeat reads n bytes of 'a' without holding them, so that a client can
// send large bodies without the test's own memory growing.
type repeat struct{ n int }

func (r *repeat) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = 'a'
	}
	r.n -= k
	return k, nil
}

// padded is v urlencoded with a field of n bytes added.
func padded(v url.Values, n int) (io.Reader, int64) {
	head := v.Encode() + "&pad="
	return io.MultiReader(strings.NewReader(head), &repeat{n: n}), int64(len(head) + n)
}

// TestLoginBodyLimit: a complete sign-in padded to 8 MiB (under the
// 10 MiB net/http would read) is a 413 and signs nobody in; a multipart
// sign-in with a file part is a 400.
func TestLoginBodyLimit(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	login(t, env, "grace.nwosu@example.com", "grace's password")
	c := client(t)
	_, _, page := fetch(t, c, "GET", env.URL+"/console/login", nil)
	form := url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]}, "email": {"grace.nwosu@example.com"}, "password": {"grace's password"}}

	body, n := padded(form, 8<<20)
	req, _ := http.NewRequest("POST", env.URL+"/console/login", body)
	req.ContentLength = n
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "too large") || hasSession(env, c) {
		t.Errorf("8 MiB body: %d, session %v", resp.StatusCode, hasSession(env, c))
	}

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k := range form {
		_ = mw.WriteField(k, form.Get(k))
	}
	fw, _ := mw.CreateFormFile("upload", "big.bin")
	fw.Write(bytes.Repeat([]byte{'x'}, 4096))
	mw.Close()
	req, _ = http.NewRequest("POST", env.URL+"/console/login", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "carries a file") || hasSession(env, c) {
		t.Errorf("multipart with a file: %d, session %v", resp.StatusCode, hasSession(env, c))
	}
}

// TestSignedInFormBodyLimit: every form behind a session is bounded too.
func TestSignedInFormBodyLimit(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	c := login(t, env, "grace.nwosu@example.com", "grace's password")
	_, _, page := fetch(t, c, "GET", env.URL+"/console/password", nil)
	csrf := csrfField.FindStringSubmatch(page)[1]
	body, n := padded(url.Values{"csrf": {csrf}, "current": {"grace's password"}, "next": {newPassword}, "confirm": {newPassword}}, 8<<20)
	req, _ := http.NewRequest("POST", env.URL+"/console/password", body)
	req.ContentLength = n
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("8 MiB password change: %d, want 413", resp.StatusCode)
	}
	if _, _, err := env.Svc.Login(context.Background(), crmguard.Actor{OrgID: env.Org.ID}, "grace.nwosu@example.com", "grace's password"); err != nil {
		t.Errorf("the password changed anyway: %v", err)
	}
}

// TestLoginFloodKeepsMemorySmall: 50 concurrent 10 MB posts to the sign-in
// page (an attacker's flood, no session or token needed) leave the server's
// heap nearly where it was. Client and server share this process; the
// client streams its bodies, so what grows is the server's.
func TestLoginFloodKeepsMemorySmall(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	const posts, size = 50, 10_000_000
	hc := &http.Client{Transport: &http.Transport{MaxConnsPerHost: posts, MaxIdleConnsPerHost: posts}}
	defer hc.CloseIdleConnections()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := before.HeapInuse
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // the peak, not the end state, is what takes a server down
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			default:
			}
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			runtime.Gosched()
		}
	}()

	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := 0; i < posts; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, n := padded(url.Values{"csrf": {"x"}, "email": {"a@example.com"}, "password": {"x"}}, size)
			req, _ := http.NewRequest("POST", env.URL+"/console/login", body)
			req.ContentLength = n
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			status := 0 // the server may close the connection before the client has written all
			if resp, err := hc.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			} else if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "connection reset") && !strings.Contains(err.Error(), "broken pipe") {
				t.Errorf("post: %v", err)
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	grew := int64(peak) - int64(before.HeapInuse)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d posts of %d bytes: answers %v; peak HeapInuse grew %.1f MiB; %.1f MiB allocated in all",
		posts, size, statuses, float64(grew)/(1<<20), float64(allocated)/(1<<20))
	for status := range statuses {
		if status != 0 && status != http.StatusRequestEntityTooLarge {
			t.Errorf("an answer of %d, want 413", status)
		}
	}
	if statuses[http.StatusRequestEntityTooLarge] == 0 {
		t.Error("no post was answered 413")
	}
	if grew > 64<<20 || allocated > 64<<20 {
		t.Errorf("the flood grew the heap by %d MiB and allocated %d MiB, want under 64 each", grew>>20, allocated>>20)
	}
}
