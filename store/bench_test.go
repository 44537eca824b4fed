package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchRecord is a record of realistic size: a few KB of state and a key.
func benchRecord(name string) *Record {
	now := time.Now()
	return &Record{
		Name: name, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(90 * 24 * time.Hour),
		Data:    make([]byte, 4096),
		Secrets: map[string][]byte{"custom.key": make([]byte, 1700)},
	}
}

func benchPut(b *testing.B, s Store) {
	ctx := context.Background()
	rec := benchRecord("example.com")
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Put(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
}

func benchGet(b *testing.B, s Store) {
	ctx := context.Background()
	if err := s.Put(ctx, benchRecord("example.com")); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(ctx, "example.com"); err != nil {
			b.Fatal(err)
		}
	}
}

func benchFS(b *testing.B) *FS {
	s, err := NewFS(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkFSPut(b *testing.B)     { benchPut(b, benchFS(b)) }
func BenchmarkFSGet(b *testing.B)     { benchGet(b, benchFS(b)) }
func BenchmarkMemoryPut(b *testing.B) { benchPut(b, NewMemory()) }
func BenchmarkMemoryGet(b *testing.B) { benchGet(b, NewMemory()) }

func BenchmarkEncryptedFSGet(b *testing.B) {
	k, err := GenerateKey("k")
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewEncrypted(benchFS(b), k)
	if err != nil {
		b.Fatal(err)
	}
	benchGet(b, s)
}

// BenchmarkMemoryList lists the first page of 100 of 10,000 records.
func BenchmarkMemoryList(b *testing.B) {
	for _, sort := range []SortField{SortByName, SortByExpiry} {
		b.Run(fmt.Sprintf("sort=%d", sort), func(b *testing.B) {
			s := NewMemory()
			ctx := context.Background()
			for i := range 10_000 {
				r := benchRecord(fmt.Sprintf("h%05d.example.com", i))
				r.ExpiresAt = r.ExpiresAt.Add(time.Duration(i*7919%10_000) * time.Minute)
				if err := s.Put(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.List(ctx, ListOptions{Sort: sort}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFSList lists the first page of 100 of 1,000 records, in name
// order (reads the page's records only) and in expiry order (reads all).
func BenchmarkFSList(b *testing.B) {
	s := benchFS(b)
	ctx := context.Background()
	for i := range 1000 {
		if err := s.Put(ctx, benchRecord(fmt.Sprintf("h%04d.example.com", i))); err != nil {
			b.Fatal(err)
		}
	}
	for _, sort := range []SortField{SortByName, SortByExpiry} {
		b.Run(fmt.Sprintf("sort=%d", sort), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.List(ctx, ListOptions{Sort: sort}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
