package certs

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/certs-dev/certs/store"
)

// BenchmarkSchedulerTick measures the scheduler's work per tick with n
// hostnames queued: a tick with nothing due (what almost every tick is),
// and rescheduling one hostname (what each renewal, import or change
// does). The queue is a heap: neither scans the hostnames.
func BenchmarkSchedulerTick(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			m, err := New(Config{Store: store.NewMemory(), Logger: quietLogger()})
			if err != nil {
				b.Fatal(err)
			}
			now := m.now()
			names := make([]string, n)
			for i := range names {
				names[i] = fmt.Sprintf("h%07d.example.com", i)
				m.sched.schedule(names[i], now.Add(time.Hour+time.Duration(i)*time.Millisecond))
			}
			ctx := context.Background()
			b.Run("idle-tick", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					m.RenewDue(ctx)
				}
			})
			b.Run("reschedule", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					m.sched.schedule(names[i%n], now.Add(2*time.Hour+time.Duration(i)*time.Microsecond))
				}
			})
		})
	}
}
