package pgstore_test

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/pgstore"
	"github.com/certs-dev/certs/store"
)

// A fleet of replicas shares one database: each runs this at start-up,
// with the same DSN and the same encryption key.
func ExampleNew() {
	ctx := context.Background()
	st, err := pgstore.New(ctx, pgstore.Config{DSN: os.Getenv("CERTS_DATABASE_URL")})
	if err != nil {
		log.Fatal(err) // *pgstore.ConnectError, pgstore.ErrSchemaTooNew, ...
	}
	defer st.Close()
	key, err := store.ParseKey("k1", os.Getenv("CERTS_ENCRYPTION_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: st, EncryptionKey: &key})
	if err != nil {
		log.Fatal(err)
	}
	_ = m // serve m.TLSConfig(); m.Start(ctx) renews and follows the other replicas' changes
}

// A Manager whose scheduler runs follows the feed by itself. Watch is for
// other consumers: here, a cache of per-hostname data kept fresh.
func ExampleStore_Watch() {
	ctx := context.Background()
	st, err := pgstore.New(ctx, pgstore.Config{DSN: os.Getenv("CERTS_DATABASE_URL")})
	if err != nil {
		log.Fatal(err)
	}
	since, err := st.LastChange(ctx) // before filling the cache: nothing is missed
	if err != nil {
		log.Fatal(err)
	}
	cache := map[string]int64{} // hostname -> version
	go func() {
		err := st.Watch(ctx, since, func(c pgstore.Change) error {
			switch c.Op {
			case pgstore.OpPut:
				cache[c.Name] = c.Version
			case pgstore.OpDelete:
				delete(cache, c.Name)
			case pgstore.OpReset:
				clear(cache)
			}
			return nil
		})
		log.Print(err) // pgstore.ErrChangesPruned: refill the cache and watch again
	}()
	// Keep a week of changes.
	_, _ = st.PruneChanges(ctx, time.Now().Add(-7*24*time.Hour))
}

// A read-modify-write that refuses to overwrite a change it did not read,
// even if its lock was lost on the way.
func ExampleStore_PutIf() {
	ctx := context.Background()
	st, err := pgstore.New(ctx, pgstore.Config{DSN: os.Getenv("CERTS_DATABASE_URL")})
	if err != nil {
		log.Fatal(err)
	}
	unlock, err := st.Lock(ctx, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	defer unlock()
	rec, version, err := st.GetVersion(ctx, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	rec.Data = []byte(`{"updated":true}`)
	if _, err := st.PutIf(ctx, rec, version); err != nil {
		log.Fatal(err) // pgstore.ErrConflict: read again and redo the change
	}
}
