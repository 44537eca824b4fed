package store_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/certs-dev/certs/store"
)

func ExampleNewFS() {
	dir, err := os.MkdirTemp("", "certs-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := store.NewFS(dir) // in production: dir from store.DefaultDir()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	err = s.Put(ctx, &store.Record{
		Name:      "*.example.com",
		CreatedAt: time.Now(),
		Data:      []byte(`{"state":"issued"}`),
		Secrets:   map[string][]byte{"custom.key": []byte("-----BEGIN PRIVATE KEY-----...")},
	})
	if err != nil {
		log.Fatal(err)
	}
	rec, err := s.Get(ctx, "*.example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec) // secrets are never printed

	_, err = s.Get(ctx, "missing.example.com")
	fmt.Println(errors.Is(err, store.ErrNotFound))
	// Output:
	// store.Record{Name: *.example.com, secrets: 1 redacted}
	// true
}

func ExampleMemory_List() {
	s := store.NewMemory()
	ctx := context.Background()
	for _, name := range []string{"a.example.com", "b.example.com", "c.example.com", "other.test"} {
		if err := s.Put(ctx, &store.Record{Name: name}); err != nil {
			log.Fatal(err)
		}
	}
	opts := store.ListOptions{Filter: "example.com", Limit: 2}
	for {
		page, err := s.List(ctx, opts)
		if err != nil {
			log.Fatal(err)
		}
		for _, rec := range page.Records {
			fmt.Println(rec.Name, "of", page.Total)
		}
		if page.NextCursor == "" {
			break
		}
		opts.Cursor = page.NextCursor
	}
	// Output:
	// a.example.com of 3
	// b.example.com of 3
	// c.example.com of 3
}

func ExampleNewEncrypted() {
	// In production, load the keys from configuration with store.ParseKey.
	current, err := store.GenerateKey("2026-01")
	if err != nil {
		log.Fatal(err)
	}
	previous, err := store.GenerateKey("2025-01")
	if err != nil {
		log.Fatal(err)
	}
	inner := store.NewMemory()
	s, err := store.NewEncrypted(inner, current, previous)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	rec := &store.Record{Name: "example.com", Secrets: map[string][]byte{"custom.key": []byte("private")}}
	if err := s.Put(ctx, rec); err != nil {
		log.Fatal(err)
	}
	got, err := s.Get(ctx, "example.com")
	if err != nil {
		log.Fatal(err)
	}
	raw, err := inner.Get(ctx, "example.com")
	if err != nil {
		log.Fatal(err)
	}
	_, isLocker := s.(store.Locker)
	fmt.Println(string(got.Secrets["custom.key"]), string(raw.Secrets["custom.key"]) == "private", isLocker)
	fmt.Println(current) // keys never print their secret
	// Output:
	// private false true
	// store.Key{ID: 2026-01, Secret: <redacted>}
}

func ExampleFS_Lock() {
	dir, err := os.MkdirTemp("", "certs-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := store.NewFS(dir)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	unlock, err := s.Lock(ctx, "example.com") // excludes other processes sharing dir
	if err != nil {
		log.Fatal(err)
	}
	defer unlock()
	fmt.Println("renewing example.com")
	// Output: renewing example.com
}

func ExampleFS_List() {
	dir, err := os.MkdirTemp("", "certs-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := store.NewFS(dir)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range []string{"a.example.com", "b.example.com", "c.example.com"} {
		if err := s.Put(ctx, &store.Record{Name: name}); err != nil {
			log.Fatal(err)
		}
	}
	// Something outside the store truncates one record file.
	if err := os.WriteFile(filepath.Join(dir, "hosts", "b.example.com", "record.json"), []byte(`{"vers`), 0o600); err != nil {
		log.Fatal(err)
	}

	page, err := s.List(ctx, store.ListOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, rec := range page.Records {
		fmt.Println("serve", rec.Name)
	}
	for _, d := range page.Damaged { // d.Error() says which file and what to do
		fmt.Println("damaged", d.Name, errors.Is(d, store.ErrDamaged))
	}
	_, err = s.Get(ctx, "b.example.com")
	fmt.Println(errors.Is(err, store.ErrDamaged), page.Total)
	// Output:
	// serve a.example.com
	// serve c.example.com
	// damaged b.example.com true
	// true 3
}
