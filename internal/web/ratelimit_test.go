package web

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestLimiterBucket(t *testing.T) {
	l := newLimiter(RateLimit{Burst: 3, Every: time.Second})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if !l.allow("a", now) {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	if l.allow("a", now) {
		t.Error("the fourth request at once was allowed")
	}
	if !l.allow("b", now) {
		t.Error("another address shares the bucket")
	}
	if !l.allow("a", now.Add(time.Second)) || l.allow("a", now.Add(time.Second)) {
		t.Error("one token per second: want exactly one more after a second")
	}
	if off := newLimiter(RateLimit{Burst: -1}); !off.allow("a", now) {
		t.Error("a negative burst must turn the limit off")
	}
}

func TestClientKeyIPv6Prefix(t *testing.T) {
	r1, r2 := httptest.NewRequest("GET", "/", nil), httptest.NewRequest("GET", "/", nil)
	r1.RemoteAddr, r2.RemoteAddr = "[2001:db8:1:2::1]:5000", "[2001:db8:1:2:ffff::9]:6000"
	if clientKey(r1) != clientKey(r2) {
		t.Errorf("one /64 gives keys %q and %q", clientKey(r1), clientKey(r2))
	}
	r1.RemoteAddr = "192.0.2.1:5000"
	if clientKey(r1) != "192.0.2.1" {
		t.Errorf("IPv4 key = %q", clientKey(r1))
	}
}
