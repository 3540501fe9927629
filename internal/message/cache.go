package message

import (
	"sync"
	"sync/atomic"
	"time"
)

// folderCache keeps the folder pages last read per party, so that a
// customer going back and forth between their folders and threads reads
// the page from the database only when it changed.
//
// A page is used again only while its party's Stamp (read fresh on every
// request, from a covering index) is unchanged: a message added or read
// anywhere, by any process, changes the stamp. A change that leaves the
// stamp as it was (a thread closed or moved) drops the party's pages when
// made through this Service; made by another process, it shows within ttl.
// A read that a drop overtook is not kept (epoch), so a page read before a
// change never outlives it.
type folderCache struct {
	ttl   time.Duration
	epoch atomic.Uint64 // bumped by every drop
	seq   atomic.Uint64 // numbers the pages kept

	mu      sync.Mutex
	parties map[Party]map[pageKey]folderEntry
}

type pageKey struct {
	box  Box
	page int
}

type folderEntry struct {
	stamp   Stamp
	at      time.Time
	threads []Thread
	more    bool
	version uint64
}

// maxCachedParties bounds the cache; past it the cache starts over.
const maxCachedParties = 10000

func newFolderCache(ttl time.Duration) *folderCache {
	return &folderCache{ttl: ttl, parties: map[Party]map[pageKey]folderEntry{}}
}

func (c *folderCache) epochNow() uint64 { return c.epoch.Load() }

// get finds a page kept for the stamp, and its version.
func (c *folderCache) get(p Party, box Box, page int, stamp Stamp) (folderEntry, bool) {
	if c.ttl < 0 {
		return folderEntry{}, false
	}
	c.mu.Lock()
	e, ok := c.parties[p][pageKey{box, page}]
	c.mu.Unlock()
	if !ok || e.stamp != stamp || time.Since(e.at) > c.ttl {
		return folderEntry{}, false
	}
	return e, true
}

// put keeps a page read after epoch, unless a drop came in between, and
// returns its version (0 when it was not kept).
func (c *folderCache) put(epoch uint64, p Party, box Box, page int, stamp Stamp, ts []Thread, more bool) uint64 {
	if c.ttl < 0 {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch.Load() != epoch {
		return 0
	}
	pages := c.parties[p]
	if pages == nil {
		if len(c.parties) >= maxCachedParties {
			clear(c.parties)
		}
		pages = map[pageKey]folderEntry{}
		c.parties[p] = pages
	}
	v := c.seq.Add(1)
	pages[pageKey{box, page}] = folderEntry{stamp: stamp, at: time.Now(), threads: ts, more: more, version: v}
	return v
}

// drop forgets a party's pages after a change to its threads.
func (c *folderCache) drop(p Party) {
	c.mu.Lock()
	c.epoch.Add(1)
	delete(c.parties, p)
	c.mu.Unlock()
}
