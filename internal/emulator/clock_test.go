package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/emulator"
)

func TestAdvancingTheClockExpiresAToken(t *testing.T) {
	e := startEmu(t)
	tok := e.demoToken()
	e.users(t, tok)

	e.emu(t, http.StatusOK, "POST", "/__emulator/clock", `{"advance":"59m"}`)
	e.users(t, tok) // still within its hour
	e.emu(t, http.StatusOK, "POST", "/__emulator/clock", `{"advance":"2m"}`)
	code, body := e.api(t, "GET", "/crm/v8/users", tok, "")
	if code != http.StatusUnauthorized || !strings.Contains(body, `"code":"INVALID_TOKEN"`) {
		t.Fatalf("after 61 minutes: %d %s", code, body)
	}
	// Reset brings back the clock the server started with, and with it
	// the token's remaining life.
	e.emu(t, http.StatusOK, "POST", "/__emulator/reset", "")
	e.users(t, tok)
}

func TestClockControl(t *testing.T) {
	e := startEmu(t)
	read := func(body string) (now time.Time, frozen bool) {
		t.Helper()
		var c struct {
			Now    string `json:"now"`
			Frozen bool   `json:"frozen"`
		}
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			t.Fatal(err)
		}
		now, err := time.Parse(time.RFC3339Nano, c.Now)
		if err != nil {
			t.Fatal(err)
		}
		return now, c.Frozen
	}
	at, frozen := read(e.emu(t, http.StatusOK, "POST", "/__emulator/clock", `{"set":"2030-01-02T03:04:05Z"}`))
	if frozen || at.Before(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) || at.After(time.Date(2030, 1, 2, 3, 5, 0, 0, time.UTC)) {
		t.Fatalf("set: %v frozen=%v", at, frozen)
	}
	at, frozen = read(e.emu(t, http.StatusOK, "POST", "/__emulator/clock", `{"freeze":true}`))
	if !frozen {
		t.Fatal("freeze did not freeze")
	}
	time.Sleep(5 * time.Millisecond)
	if again, _ := read(e.emu(t, http.StatusOK, "GET", "/__emulator/clock", "")); !again.Equal(at) {
		t.Fatalf("a frozen clock moved: %v then %v", at, again)
	}
	moved, _ := read(e.emu(t, http.StatusOK, "POST", "/__emulator/clock", `{"advance":"24h"}`))
	if moved.Sub(at) != 24*time.Hour {
		t.Fatalf("advance 24h moved %v", moved.Sub(at))
	}
	// The audit log is written at the clock's time: back to the start
	// (so the demo token is live), frozen, then a change.
	e.emu(t, http.StatusOK, "POST", "/__emulator/reset", "")
	if _, frozen := read(e.emu(t, http.StatusOK, "GET", "/__emulator/clock", "")); frozen {
		t.Fatal("reset left the clock frozen")
	}
	stopped, _ := read(e.emu(t, http.StatusOK, "POST", "/__emulator/clock", `{"freeze":true}`))
	time.Sleep(5 * time.Millisecond)
	addOne(t, e, e.demoToken(), "clocked@example.test")
	events, err := e.stack.Store.ListAudit(t.Context(), e.stack.Org.ID, crmguard.AuditFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := events[0].Time; !got.Equal(stopped.Truncate(time.Millisecond)) {
		t.Fatalf("newest audit event at %v, the frozen clock at %v", got, stopped)
	}
	_, frozen = read(e.emu(t, http.StatusOK, "POST", "/__emulator/clock", `{"resume":true}`))
	if frozen {
		t.Fatal("resume left the clock frozen")
	}
	for _, bad := range []string{`{}`, `{"freeze":true,"resume":true}`, `{"set":"tomorrow"}`, `{"advance":"1 hour"}`, `{"freeze":false}`, `{"jump":"1h"}`, `[`} {
		out := e.emu(t, http.StatusBadRequest, "POST", "/__emulator/clock", bad)
		if !strings.Contains(out, "INVALID_DATA") {
			t.Errorf("%s: %s", bad, out)
		}
	}
}

func TestClock(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	real := base
	c := emulator.NewClock(func() time.Time { return real })
	if !c.Now().Equal(base) {
		t.Fatal("a new clock is not the real time")
	}
	c.Advance(time.Hour)
	real = real.Add(time.Minute)
	if want := base.Add(61 * time.Minute); !c.Now().Equal(want) {
		t.Fatalf("running clock after advance: %v, want %v", c.Now(), want)
	}
	c.Freeze()
	real = real.Add(time.Hour)
	if want := base.Add(61 * time.Minute); !c.Now().Equal(want) {
		t.Fatalf("frozen clock moved to %v", c.Now())
	}
	c.Set(base)
	c.Advance(time.Second)
	if !c.Now().Equal(base.Add(time.Second)) || !c.Frozen() {
		t.Fatalf("set and advance while frozen: %v", c.Now())
	}
	c.Resume()
	real = real.Add(time.Minute)
	if want := base.Add(time.Second + time.Minute); !c.Now().Equal(want) {
		t.Fatalf("resumed clock: %v, want %v", c.Now(), want)
	}
}
