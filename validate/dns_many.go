package validate

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// DefaultCheckConcurrency is CheckMany's concurrency when it is not positive.
const DefaultCheckConcurrency = 64

// CheckMany checks hostnames with at most concurrency checks at a time
// (DefaultCheckConcurrency when not positive), taking each one's
// requirements from reqFor. The checks share one zone cache, so each
// zone's nameservers are looked up once; records are always fresh.
//
// The map holds a report for every hostname checked. The error is
// ErrNoResolvers, or ctx's error when ctx ended first (the map then holds
// the reports finished so far); a hostname that could not be checked at
// all (an invalid name) is missing from the map and reported in the
// error, joined.
func CheckMany(ctx context.Context, hostnames []string, reqFor func(hostname string) DNSRequirements, opts CheckOptions, concurrency int) (map[string]*DNSReport, error) {
	var (
		mu      sync.Mutex
		reports = make(map[string]*DNSReport, len(hostnames))
		errs    []error
	)
	err := CheckEach(ctx, hostnames, reqFor, opts, concurrency, func(host string, rep *DNSReport, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
		} else {
			reports[host] = rep
		}
	})
	if errors.Is(err, ErrNoResolvers) {
		return nil, err
	}
	if err != nil {
		return reports, err
	}
	return reports, errors.Join(errs...)
}

// CheckEach is CheckMany calling done with each hostname's report, or the
// error that kept it from being checked (an invalid name), as soon as its
// check ends. done runs on the checking goroutines, at most concurrency at
// a time, so it must be safe for concurrent use; a slow done holds back
// the checks. The error is ErrNoResolvers, or ctx's error when ctx ended
// first (hostnames not yet started are then never passed to done).
func CheckEach(ctx context.Context, hostnames []string, reqFor func(hostname string) DNSRequirements, opts CheckOptions,
	concurrency int, done func(hostname string, rep *DNSReport, err error)) error {
	if len(opts.Resolvers) == 0 {
		return ErrNoResolvers
	}
	if concurrency <= 0 {
		concurrency = DefaultCheckConcurrency
	}
	r := newDNSResolver(opts)
	var wg sync.WaitGroup
	next := make(chan string)
	for range min(concurrency, len(hostnames)) {
		wg.Go(func() {
			for host := range next {
				rep, err := r.check(ctx, host, reqFor(host))
				done(host, rep, err)
			}
		})
	}
feed:
	for _, h := range hostnames {
		select {
		case next <- h:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("validate: check many: %w", err)
	}
	return nil
}
