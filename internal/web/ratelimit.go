package web

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// RateLimit is a token bucket per client address: Burst requests at once,
// then one per Every. A zero RateLimit is the default; a negative Burst
// turns the limit off.
type RateLimit struct {
	Burst int
	Every time.Duration
}

// DefaultSignInLimit bounds how often one address may start a sign-in:
// each start stores a login flow, so anonymous starts must not be free.
var DefaultSignInLimit = RateLimit{Burst: 20, Every: 3 * time.Second}

// maxBuckets bounds the limiter's memory. When that many addresses are
// being limited at once, buckets that have refilled are dropped; if none
// has, a new address is refused until some have.
const maxBuckets = 100_000

type bucket struct {
	tokens float64
	last   time.Time
}

type limiter struct {
	rate    RateLimit
	mu      sync.Mutex
	buckets map[string]*bucket
}

func newLimiter(r RateLimit) *limiter {
	if r == (RateLimit{}) {
		r = DefaultSignInLimit
	}
	return &limiter{rate: r, buckets: map[string]*bucket{}}
}

// allow takes a token from key's bucket, reporting whether there was one.
func (l *limiter) allow(key string, now time.Time) bool {
	if l.rate.Burst < 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
			if len(l.buckets) >= maxBuckets {
				return false
			}
		}
		b = &bucket{tokens: float64(l.rate.Burst), last: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (l *limiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.last); d > 0 && l.rate.Every > 0 {
		b.tokens += float64(d) / float64(l.rate.Every)
		if b.tokens > float64(l.rate.Burst) {
			b.tokens = float64(l.rate.Burst)
		}
	}
	b.last = now
}

// sweep drops the buckets that are full again: they hold nothing a new
// bucket would not.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= float64(l.rate.Burst) {
			delete(l.buckets, k)
		}
	}
}

// clientKey is the address a limit counts by: the connecting IP, an IPv6
// client by its /64, since one host commonly holds a whole /64.
func clientKey(r *http.Request) string {
	ip := net.ParseIP(clientIP(r))
	if ip == nil {
		return clientIP(r)
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}
