package oauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/crmguard/crmguard"
	"github.com/crmguard/crmguard/internal/service"
	"github.com/crmguard/crmguard/internal/testenv"
)

// userInfoGet calls GET /oauth/user/info with the Authorization header as
// given ("" for none).
func userInfoGet(t *testing.T, env *testenv.Env, auth string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.URL+"/oauth/user/info", nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

type userInfoBody struct {
	FirstName   string `json:"First_Name"`
	Email       string `json:"Email"`
	LastName    string `json:"Last_Name"`
	DisplayName string `json:"Display_Name"`
	ZUID        int64  `json:"ZUID"`
}

// TestUserInfoAfterCodeExchange is what a login library does: exchange a
// code with golang.org/x/oauth2, then ask who signed in, with Bearer (as
// x/oauth2 and passport send it) and with Zoho-oauthtoken.
func TestUserInfoAfterCodeExchange(t *testing.T) {
	testenv.EachBackend(t, userInfoAfterCodeExchange)
}

func userInfoAfterCodeExchange(t *testing.T, b testenv.Backend) {
	env := testenv.New(t, testenv.Options{Backend: b})
	ctx := context.Background()
	code, err := env.Svc.CreateGrant(ctx, env.Admin, service.GrantRequest{Client: env.Boot.SelfClient,
		UserID: env.Org.PrimaryUserID, Scopes: "AaaServer.profile.READ,ZohoCRM.users.READ"})
	if err != nil {
		t.Fatal(err)
	}
	conf := &oauth2.Config{ClientID: env.Boot.SelfClient.ClientID, ClientSecret: env.Boot.ClientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: env.URL + "/oauth/v2/token", AuthStyle: oauth2.AuthStyleInParams}}
	tok, err := conf.Exchange(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	admin := env.User(t, "")

	// Bearer, through the client x/oauth2 makes.
	resp, err := conf.Client(ctx, tok).Get(env.URL + "/oauth/user/info")
	if err != nil {
		t.Fatal(err)
	}
	var got userInfoBody
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("Bearer: %d, %v", resp.StatusCode, err)
	}
	want := userInfoBody{FirstName: admin.FirstName, Email: admin.Email, LastName: admin.LastName,
		DisplayName: admin.FullName(), ZUID: admin.ZUID}
	if got != want || got.ZUID <= 0 || got.ZUID > 1<<53-1 {
		t.Fatalf("Bearer: %+v, want %+v with a ZUID in JavaScript's safe range", got, want)
	}

	// Zoho-oauthtoken, the body pinned whole (keys in Zoho's order, ZUID a number).
	testenv.GoldenResponse(t, "userinfo/ok", userInfoGet(t, env, "Zoho-oauthtoken "+tok.AccessToken))
	testenv.GoldenResponse(t, "userinfo/ok", userInfoGet(t, env, "bearer "+tok.AccessToken))

	// The Users API's zuid is the same number.
	resp = env.Do(t, http.MethodGet, "/crm/v8/users/"+admin.ID.String(), tok.AccessToken, "")
	var users struct {
		Users []struct {
			ZUID string `json:"zuid"`
		} `json:"users"`
	}
	err = json.NewDecoder(resp.Body).Decode(&users)
	resp.Body.Close()
	if err != nil || len(users.Users) != 1 || users.Users[0].ZUID != strconv.FormatInt(got.ZUID, 10) {
		t.Fatalf("GET /users/{id}: %d %+v %v, want zuid %d", resp.StatusCode, users, err, got.ZUID)
	}
}

// TestUserInfoErrors: each refusal, in Zoho's error shape.
func TestUserInfoErrors(t *testing.T) {
	testenv.EachBackend(t, userInfoErrors)
}

func userInfoErrors(t *testing.T, b testenv.Backend) {
	env := testenv.New(t, testenv.Options{Backend: b})
	noScope := env.Token(t, "", "ZohoCRM.users.READ")
	resp := userInfoGet(t, env, "Zoho-oauthtoken "+noScope)
	if c := resp.Header.Get("WWW-Authenticate"); c == "" {
		t.Errorf("no scope: no WWW-Authenticate challenge")
	}
	testenv.GoldenResponse(t, "userinfo/no_scope", resp)

	valid := env.Token(t, "", "AaaServer.profile.READ")
	forged := valid[:len(valid)-1] + string("01"[(valid[len(valid)-1]-'0'+1)%2])
	if forged == valid {
		t.Fatal("the forged token equals the real one")
	}
	testenv.GoldenResponse(t, "userinfo/forged_token", userInfoGet(t, env, "Bearer "+forged))
	testenv.GoldenResponse(t, "userinfo/unknown_token", userInfoGet(t, env,
		"Bearer 1000.00000000000000000000000000000000.00000000000000000000000000000000"))
	testenv.GoldenResponse(t, "userinfo/no_header", userInfoGet(t, env, ""))
	testenv.GoldenResponse(t, "userinfo/other_scheme", userInfoGet(t, env, "Basic "+valid))

	expiring := env.Token(t, "", "AaaServer.profile.READ")
	env.Clock.Advance(2 * time.Hour) // access tokens live an hour
	testenv.GoldenResponse(t, "userinfo/expired_token", userInfoGet(t, env, "Bearer "+expiring))

	inactive := env.Token(t, "", "AaaServer.profile.READ")
	u := env.User(t, "")
	u.Status = crmguard.UserDisabled
	if err := env.Store.UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	testenv.GoldenResponse(t, "userinfo/inactive_user", userInfoGet(t, env, "Bearer "+inactive))
}

// TestZUIDsUniqueAndSafe: every user of the demo org has its own ZUID, a
// number JavaScript reads exactly, and the token of each answers its own.
func TestZUIDsUniqueAndSafe(t *testing.T) {
	env := testenv.New(t, testenv.Options{Demo: true})
	users, err := env.Store.ListUsers(context.Background(), env.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) < 3 {
		t.Fatalf("%d users in the demo org", len(users))
	}
	seen := map[int64]crmguard.ID{}
	for _, u := range users {
		if u.ZUID <= 0 || u.ZUID > 1<<53-1 {
			t.Errorf("%s: ZUID %d outside 1..2^53-1", u.Email, u.ZUID)
		}
		if other, dup := seen[u.ZUID]; dup {
			t.Errorf("%s: ZUID %d is also user %s's", u.Email, u.ZUID, other)
		}
		seen[u.ZUID] = u.ID
		if u.Status != crmguard.UserActive {
			continue
		}
		resp := userInfoGet(t, env, "Bearer "+env.Token(t, u.Email, "AaaServer.profile.READ"))
		var got userInfoBody
		err := json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil || got.ZUID != u.ZUID || got.Email != u.Email {
			t.Errorf("%s: %+v %v, want ZUID %d", u.Email, got, err, u.ZUID)
		}
	}
}
