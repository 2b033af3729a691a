package guard_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/access"
	"github.com/crmguard/crmguard/internal/guard"
	"github.com/crmguard/crmguard/internal/testenv"
)

// twoInstances starts two stacks on one new PostgreSQL schema, as two
// instances behind a load balancer, with the same guard settings.
func twoInstances(t *testing.T, cfg guard.Config) (*testenv.Env, *testenv.Env) {
	t.Helper()
	env1 := testenv.New(t, testenv.Options{Backend: testenv.Postgres, Guard: cfg})
	env2 := testenv.New(t, testenv.Options{Database: env1.Path, Guard: cfg})
	return env1, env2
}

func orgRequest(tok string) *http.Request {
	r := httptest.NewRequest("GET", "/crm/v8/org", nil)
	r.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
	return r
}

// spend calls Authorize on env's guard until it refuses for want of
// credits, and returns how many calls it granted.
func spend(t *testing.T, env *testenv.Env, tok string) int {
	t.Helper()
	for n := 0; ; n++ {
		tk, err := env.Guard.Authorize(orgRequest(tok), access.ScopeOrgRead)
		if err != nil {
			if ze, ok := crmguard.AsError(err); !ok || ze.Code != crmguard.CodeTooManyRequests || !strings.Contains(ze.Message, "24 hour") {
				t.Fatalf("call %d: %v, want the daily limit's 429", n+1, err)
			}
			return n
		}
		tk.Done()
		if n > 1_000_000 {
			t.Fatal("no limit")
		}
	}
}

// TestSharedCreditsExactAcrossInstances: with 50 credits a day and 120
// calls sent at once, half to each of two instances, exactly 50 succeed
// org-wide; every other call is the daily limit's 429.
func TestSharedCreditsExactAcrossInstances(t *testing.T) {
	const credits = 50
	env1, env2 := twoInstances(t, guard.Config{Credits: credits, Concurrency: 1000})
	tok := env1.Token(t, "", "ZohoCRM.org.READ")
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for i := range 120 {
		env := env1
		if i%2 == 1 {
			env = env2
		}
		wg.Go(func() {
			resp := env.Do(t, "GET", "/crm/v8/org", tok, "")
			body := readBody(t, resp)
			k := "other: " + body
			switch {
			case resp.StatusCode == 200:
				k = "ok"
			case resp.StatusCode == 429 && strings.Contains(body, "24 hour period"):
				k = "daily"
			}
			mu.Lock()
			counts[k]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if counts["ok"] != credits || counts["daily"] != 120-credits {
		t.Errorf("120 calls over two instances with %d credits: %v, want %d granted and the rest refused for the day", credits, counts, credits)
	}
}

// TestSharedCreditsUnderUseBound: an instance holds at most one batch
// (0.5% of the limit, here 10 credits) reserved and unspent. With 2,000
// credits, after 40 calls on instance 1, instance 2 spends everything else
// but what instance 1 holds; that is fewer than 10, instance 1 can spend
// them, and the two together spend exactly the 2,000. Once the minute
// turns, what an idle instance still holds goes back at its next
// heartbeat.
func TestSharedCreditsUnderUseBound(t *testing.T) {
	const credits, batch = 2000, 10 // batch: maxBatch(2000)
	env1, env2 := twoInstances(t, guard.Config{Credits: credits, Concurrency: 1000, Heartbeat: 50 * time.Millisecond})
	tok := env1.Token(t, "", "ZohoCRM.org.READ")
	for i := range 40 {
		tk, err := env1.Guard.Authorize(orgRequest(tok), access.ScopeOrgRead)
		if err != nil {
			t.Fatalf("call %d on instance 1: %v", i+1, err)
		}
		tk.Done()
	}
	// X-RATELIMIT-REMAINING on instance 2: the org-wide count at its
	// reservation (instance 1's batches included, spent or not) and its
	// own spending.
	first, err := env2.Guard.Authorize(orgRequest(tok), access.ScopeOrgRead)
	if err != nil {
		t.Fatal(err)
	}
	first.Done()
	h := http.Header{}
	first.SetRateLimit(h)
	two := 1 + spend(t, env2, tok)
	held := credits - 40 - two
	if got, want := h.Get(guard.HeaderRateRemaining), strconv.Itoa(credits-41-held); got != want {
		t.Errorf("X-RATELIMIT-REMAINING of instance 2's first call: %s, want %s", got, want)
	}
	if held < 0 || held > batch-1 {
		t.Fatalf("instance 2 spent %d after instance 1's 40: instance 1 holds %d, want 0 to %d", two, held, batch-1)
	}
	t.Logf("instance 2 refused while instance 1 held %d unspent credits (bound %d)", held, batch-1)
	if one := spend(t, env1, tok); one != held {
		t.Fatalf("instance 1 spent %d more, want the %d it held", one, held)
	}
	if two := spend(t, env2, tok); two != 0 {
		t.Fatalf("instance 2 spent %d more after the limit", two)
	}

	// Instance 1 takes a new batch, spends one credit of it and goes idle;
	// then the minute turns on both. Its heartbeat gives the rest back.
	env1.Clock.Advance(24 * time.Hour)
	env2.Clock.Advance(24 * time.Hour)
	tok = env1.Token(t, "", "ZohoCRM.org.READ") // the first has expired
	tk, err := env1.Guard.Authorize(orgRequest(tok), access.ScopeOrgRead)
	if err != nil {
		t.Fatal(err)
	}
	tk.Done()
	env1.Clock.Advance(time.Minute)
	env2.Clock.Advance(time.Minute)
	if two := spendUntil(t, env2, tok, credits-1); two != credits-1 {
		t.Fatalf("instance 2 spent %d in the next minute, want %d once instance 1 gave its batch back", two, credits-1)
	}
}

// spendUntil spends on env until want calls were granted, waiting for
// other instances to give credits back, or 20 s pass; it returns how many
// were granted.
func spendUntil(t *testing.T, env *testenv.Env, tok string, want int) int {
	t.Helper()
	got := 0
	for deadline := time.Now().Add(20 * time.Second); got < want && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got += spend(t, env, tok)
	}
	return got
}

// TestSharedCreditsRefund: a refused call's refund (Ticket.Refund) gives
// its credit back, in the batch's minute or after it.
func TestSharedCreditsRefund(t *testing.T) {
	const credits = 3
	env1, env2 := twoInstances(t, guard.Config{Credits: credits, Concurrency: 1000, Heartbeat: 50 * time.Millisecond})
	tok := env1.Token(t, "", "ZohoCRM.org.READ")
	for range 5 {
		tk, err := env1.Guard.Authorize(orgRequest(tok), access.ScopeOrgRead)
		if err != nil {
			t.Fatal(err)
		}
		tk.Refund()
		tk.Done()
	}
	// A credit charged in one minute and refunded in the next goes back
	// to the database.
	tk, err := env1.Guard.Authorize(orgRequest(tok), access.ScopeOrgRead)
	if err != nil {
		t.Fatal(err)
	}
	env1.Clock.Advance(time.Minute)
	env2.Clock.Advance(time.Minute)
	if two := spend(t, env2, tok); two != credits-1 {
		t.Fatalf("instance 2 spent %d while a call was in flight on instance 1, want %d", two, credits-1)
	}
	tk.Refund()
	tk.Done()
	if two := spendUntil(t, env2, tok, 1); two != 1 {
		t.Fatalf("instance 2 spent %d after the refund, want 1", two)
	}
	if one := spend(t, env1, tok); one != 0 {
		t.Fatalf("instance 1 spent %d past the limit", one)
	}
}

// TestSharedConcurrencySplit: one instance allows a client the whole
// concurrency limit; two instances allow half each, so the org-wide count
// of calls in flight stays within it.
func TestSharedConcurrencySplit(t *testing.T) {
	const limit = 4
	cfg := guard.Config{Concurrency: limit, Heartbeat: 50 * time.Millisecond}
	env1 := testenv.New(t, testenv.Options{Backend: testenv.Postgres, Guard: cfg})
	tok := env1.Token(t, "", "ZohoCRM.org.READ")
	hold := func(env *testenv.Env, n int) []guard.Ticket {
		t.Helper()
		var held []guard.Ticket
		for i := range n {
			tk, err := env.Guard.Authorize(orgRequest(tok), access.ScopeOrgRead)
			if err != nil {
				t.Fatalf("call %d of %d in flight: %v", i+1, n, err)
			}
			held = append(held, tk)
		}
		_, err := env.Guard.Authorize(orgRequest(tok), access.ScopeOrgRead)
		if ze, ok := crmguard.AsError(err); !ok || !strings.Contains(ze.Message, "concurrency") {
			t.Fatalf("call %d in flight: %v, want the concurrency 429", n+1, err)
		}
		return held
	}
	done := func(ts []guard.Ticket) {
		for _, tk := range ts {
			tk.Done()
		}
	}
	done(hold(env1, limit))

	env2 := testenv.New(t, testenv.Options{Database: env1.Path, Guard: cfg})
	if n := env2.Guard.Instances(); n != 2 {
		t.Fatalf("the new instance counts %d instances, want 2", n)
	}
	for deadline := time.Now().Add(10 * time.Second); env1.Guard.Instances() != 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("instance 1 still counts %d instances", env1.Guard.Instances())
		}
	}
	one, two := hold(env1, limit/2), hold(env2, limit/2)
	done(one)
	done(two)
}

func TestSharedLimitsNeedPostgres(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	if n := env.Guard.Instances(); n != 1 {
		t.Errorf("SQLite: %d instances", n)
	}
	if _, _, _, err := env.Store.ReserveCredits(t.Context(), env.Org.ID, 1, 1, 1, 0, 0); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("ReserveCredits on SQLite: %v", err)
	}
}
