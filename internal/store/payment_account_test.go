package store_test

import (
	"context"
	"sync"

	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/store"
)

// seedUnits writes the reference units, which the payment notices'
// threads are routed to.
func seedUnits(db *store.DB) {
	units, contacts, err := org.Reference()
	if err == nil {
		err = db.SeedReference(context.Background(), units, contacts)
	}
	if err != nil {
		panic(err)
	}
}

var catalogue = sync.OnceValues(i18n.Load)

// texts is the catalogue's texts, as the payment service writes its
// notices with them.
func texts() outbox.Translate {
	cat, err := catalogue()
	if err != nil {
		panic(err)
	}
	return func(lang, key string, args ...any) string { return cat.For(lang).T(key, args...) }
}
