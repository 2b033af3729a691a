package cli_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestKill9KeepsAcknowledgedWrites builds the binary, serves a data
// directory with the default --sync, and drives concurrent writes at it:
// clients that each add users (POST) and clients that each update one user
// of their own again and again (PUT). Once enough writes are acknowledged,
// the process is killed with SIGKILL mid-stream. Started again on the same
// directory, it must hold every acknowledged write: each added user, and
// each updated user with the value of its last acknowledged update or of
// the update in flight at the kill (which may or may not have committed).
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; -short skips it")
	}
	work := t.TempDir()
	bin := filepath.Join(work, "crmguard")
	if b, err := exec.Command("go", "build", "-o", bin, "../../cmd/crmguard").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	dir := filepath.Join(work, "data")
	start := func() (*exec.Cmd, string, string) {
		t.Helper()
		cmd := exec.Command(bin, "serve", "--data-dir", dir, "--addr", "127.0.0.1:0", "--poll-interval", "20ms",
			"--license-users", "100000", "--api-credits", "100000000", "--api-concurrency", "1000")
		out := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = out, io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
		tok := regexp.MustCompile(`Zoho-oauthtoken (1000\.\S+)"`)
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			s := out.String()
			if m := re.FindStringSubmatch(s); m != nil && bannerDone(s) {
				token := ""
				if m := tok.FindStringSubmatch(s); m != nil {
					token = m[1]
				}
				return cmd, m[1], token
			}
		}
		t.Fatalf("serve did not start:\n%s", out.String())
		return nil, "", ""
	}
	cmd, base, token := start()
	if token == "" {
		t.Fatal("the first start printed no token")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	call := func(method, path, body string) (int, map[string]any, error) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Zoho-oauthtoken "+token)
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		var v map[string]any
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return 0, nil, err // cut off: not acknowledged
		}
		_ = json.Unmarshal(b, &v)
		return resp.StatusCode, v, nil
	}
	// record returns the first record of a Users API write answer, if it
	// succeeded.
	record := func(v map[string]any) (map[string]any, bool) {
		us, _ := v["users"].([]any)
		if len(us) != 1 {
			return nil, false
		}
		r, _ := us[0].(map[string]any)
		return r, r["code"] == "SUCCESS"
	}
	code, me, err := call("GET", "/crm/v8/users?type=CurrentUser", "")
	if err != nil || code != 200 {
		t.Fatalf("current user: %d %v %v", code, me, err)
	}
	admin := me["users"].([]any)[0].(map[string]any)
	role := admin["role"].(map[string]any)["id"].(string)
	profile := admin["profile"].(map[string]any)["id"].(string)
	add := func(email string) (string, error) {
		body := fmt.Sprintf(`{"users":[{"last_name":"Crash","email":%q,"role":%q,"profile":%q}]}`, email, role, profile)
		code, v, err := call("POST", "/crm/v8/users", body)
		if err != nil {
			return "", err
		}
		r, ok := record(v)
		if code != 201 && code != 200 || !ok {
			return "", fmt.Errorf("add %s: %d %v", email, code, v)
		}
		return r["details"].(map[string]any)["id"].(string), nil
	}

	const adders, updaters = 4, 4
	updated := make([]string, updaters) // the user each updater updates
	for i := range updated {
		if updated[i], err = add(fmt.Sprintf("target%d@example.com", i)); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu       sync.Mutex
		added    = map[string]string{} // acknowledged adds: id → e-mail
		acked    = make([]string, updaters)
		inFlight = make([]string, updaters)
		count    atomic.Int64
		enough   = make(chan struct{})
		once     sync.Once
		wg       sync.WaitGroup
	)
	ack := func() {
		if count.Add(1) >= 400 {
			once.Do(func() { close(enough) })
		}
	}
	for i := 0; i < adders; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := 0; ; k++ {
				email := fmt.Sprintf("added%d-%d@example.com", i, k)
				id, err := add(email)
				if err != nil {
					return // the kill
				}
				mu.Lock()
				added[id] = email
				mu.Unlock()
				ack()
			}
		}(i)
	}
	for i := 0; i < updaters; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := 0; ; k++ {
				city := fmt.Sprintf("City %d-%d", i, k)
				mu.Lock()
				inFlight[i] = city
				mu.Unlock()
				code, v, err := call("PUT", "/crm/v8/users/"+updated[i], fmt.Sprintf(`{"users":[{"city":%q}]}`, city))
				if _, ok := record(v); err != nil || code != 200 || !ok {
					return
				}
				mu.Lock()
				acked[i] = city
				mu.Unlock()
				ack()
			}
		}(i)
	}
	select {
	case <-enough:
	case <-time.After(15 * time.Second): // a slow machine: kill what there is
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()
	wg.Wait()
	if count.Load() == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}

	_, base, _ = start()
	client.CloseIdleConnections()
	for id, email := range added {
		code, v, err := call("GET", "/crm/v8/users/"+id, "")
		if err != nil || code != 200 {
			t.Errorf("acknowledged add of %s (%s) lost: %d %v %v", email, id, code, v, err)
			continue
		}
		if got := v["users"].([]any)[0].(map[string]any)["email"]; got != email {
			t.Errorf("user %s: e-mail %v, want %s", id, got, email)
		}
	}
	for i, id := range updated {
		code, v, err := call("GET", "/crm/v8/users/"+id, "")
		if err != nil || code != 200 {
			t.Fatalf("user %s: %d %v %v", id, code, v, err)
		}
		got, _ := v["users"].([]any)[0].(map[string]any)["city"].(string)
		if acked[i] != "" && got != acked[i] && got != inFlight[i] {
			t.Errorf("user %s: city %q after the kill; last acknowledged %q, in flight %q", id, got, acked[i], inFlight[i])
		}
	}
	t.Logf("%d writes acknowledged before SIGKILL (%d adds), all found after the restart", count.Load(), len(added))
}
