package web

import (
	"net/url"
	"strings"
	"testing"
)

// redirectCorpus is the open-redirect probe: targets that browsers follow
// to another origin once they strip what they strip, and look-alikes that
// are harmless paths. Each pair is (next as decoded from the query, the
// Location localPath must answer).
var redirectCorpus = []struct{ next, want string }{
	{"", "/"},
	{"/", "/"},
	{"/my", "/my"},
	{"/my/claims/1?x=1#top", "/my/claims/1?x=1#top"},
	{"/some/page?next=//evil.example", "/some/page?next=//evil.example"},
	{"relative", "/"},
	{"//evil.example", "/"},
	{"///evil.example", "/"},
	{"/\\evil.example", "/"},
	{"\\\\evil.example", "/"},
	{"\\/evil.example", "/"},
	{"/\t/evil.example", "/"},
	{"/\n/evil.example", "/"},
	{"/\r\n/evil.example", "/"},
	{"\t//evil.example", "/"},
	{" //evil.example", "/"},
	{"\x00//evil.example", "/"},
	{"\x1f/\\evil.example", "/"},
	{"/\x0b/evil.example", "/"}, // vertical tab: not stripped inside, a control character Go refuses
	{"/my\x00", "/my"},          // trailing C0 stripped, as browsers do
	{"/my/\ttab", "/my/tab"},    // a tab inside a path is dropped
	{"https:evil.example", "/"},
	{"https://evil.example/", "/"},
	{"http:evil.example", "/"},
	{"HTTPS://evil.example", "/"},
	{"javascript:alert(1)", "/"},
	{"data:text/html,x", "/"},
	{"/%09/evil.example", "/%09/evil.example"}, // still encoded: a path segment to a browser
	{"/%2F/evil.example", "/"},                 // a path to browsers, but "//…" once decoded: refused to be safe
	{"/%5Cevil.example", "/%5Cevil.example"},
	{"%2F%2Fevil.example", "/"},
	{"/@evil.example", "/@evil.example"},
	{"//user@evil.example", "/"},
	{"/\u3000/evil.example", "/\u3000/evil.example"}, // ideographic space is no C0 control: a path
	{"/\uff0fevil.example", "/\uff0fevil.example"},   // fullwidth solidus is a path character
	{"\uff0f\uff0fevil.example", "/"},
	{"/\u2028/evil.example", "/\u2028/evil.example"},
}

func TestLocalPathCorpus(t *testing.T) {
	for _, tt := range redirectCorpus {
		if got := localPath(tt.next); got != tt.want {
			t.Errorf("localPath(%q) = %q; want %q", tt.next, got, tt.want)
		}
	}
}

// sameOrigin reports whether target, resolved against base as a browser
// would after its own clean-up, stays on base's origin.
func sameOrigin(t testing.TB, base *url.URL, target string) {
	t.Helper()
	for _, s := range []string{target, browserClean(target)} {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatalf("localPath gave %q, which does not parse: %v", target, err)
		}
		r := base.ResolveReference(u)
		if r.Scheme != base.Scheme || r.Host != base.Host || r.User != nil {
			t.Fatalf("localPath gave %q, which leads to %s", target, r)
		}
	}
	if !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") || strings.ContainsAny(target, "\\\t\r\n") {
		t.Fatalf("localPath gave %q: not a single-slash path", target)
	}
}

func FuzzLocalPath(f *testing.F) {
	for _, tt := range redirectCorpus {
		f.Add(tt.next)
	}
	base, _ := url.Parse("https://etuus.example:8443/lang/en")
	f.Fuzz(func(t *testing.T, next string) {
		got := localPath(next)
		sameOrigin(t, base, got)
		if localPath(got) != got {
			t.Fatalf("localPath(%q) = %q, which localPath changes again", next, got)
		}
	})
}
