package pgstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/certs-dev/certs/store"
)

// watchBatch is how many changes Watch reads at a time.
const watchBatch = 1000

// Watch follows the change feed: it calls fn with every change after
// position since, in order, one call at a time, until ctx is done (it
// returns ctx.Err()), fn returns an error (returned as is), the store is
// closed (ErrClosed), or the changes after since were pruned (a
// *PrunedError, ErrChangesPruned: reload everything and watch again).
//
// It listens for the notification writers send at commit on a connection
// of its own, so a change reaches fn within a round trip; and it reads the
// feed every Config.PollInterval as well, so that a change is never missed
// for longer than that when notifications are lost (the listening
// connection broke; it is made again at the next poll). Database errors
// while reading are logged and retried at the next poll. fn runs with no
// lock held and may call the store.
func (s *Store) Watch(ctx context.Context, since int64, fn func(Change) error) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	ctx, cancel := s.withDone(ctx)
	defer cancel()
	l := &listener{s: s}
	defer l.close()
	for {
		l.listen(ctx) // before reading: a change committed in between wakes the wait
		next, err := s.deliver(ctx, since, fn)
		since = next
		var fnErr *callbackError
		switch {
		case ctx.Err() != nil:
			return doneErr(ctx)
		case errors.As(err, &fnErr):
			return fnErr.err
		case errors.Is(err, ErrChangesPruned):
			return err
		case err != nil:
			s.log.Warn("pgstore: Watch cannot read the change feed; retrying", "schema", s.schema, "retry_in", s.poll, "error", err)
		}
		if err := l.wait(ctx); err != nil {
			return doneErr(ctx)
		}
	}
}

// callbackError carries the error of Watch's fn through deliver.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }

// deliver passes every change after since to fn and returns the position
// of the last one delivered.
func (s *Store) deliver(ctx context.Context, since int64, fn func(Change) error) (int64, error) {
	for {
		changes, err := s.Changes(ctx, since, watchBatch)
		if err != nil {
			return since, err
		}
		for _, c := range changes {
			if err := fn(c); err != nil {
				return since, &callbackError{err}
			}
			since = c.Seq
		}
		if len(changes) < watchBatch {
			return since, nil
		}
	}
}

// listener holds Watch's LISTEN connection, made again when it breaks.
type listener struct {
	s      *Store
	conn   *pgx.Conn
	failed bool // the last attempt failed and was logged
}

// listen connects and LISTENs on the feed's channel unless already done.
// A failure is logged once; Watch then polls.
func (l *listener) listen(ctx context.Context) {
	if l.conn != nil {
		return
	}
	conn, err := pgx.ConnectConfig(ctx, l.s.listenConfig.Copy())
	if err == nil {
		if _, err = conn.Exec(ctx, "LISTEN "+quoteIdent(l.s.channel)); err != nil {
			_ = conn.Close(context.Background())
		}
	}
	switch {
	case err == nil:
		l.conn, l.failed = conn, false
	case ctx.Err() == nil && !l.failed:
		l.failed = true
		l.s.log.Warn("pgstore: Watch cannot listen for change notifications; polling", "schema", l.s.schema, "every", l.s.poll,
			"error", redact(err.Error(), l.s.listenConfig.Password))
	}
}

// wait returns when a notification arrives, after the poll interval, or
// with ctx's error when ctx is done. A broken connection is dropped, to be
// made again by the next listen.
func (l *listener) wait(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, l.s.poll)
	defer cancel()
	if l.conn == nil {
		<-wctx.Done()
		return ctx.Err()
	}
	_, err := l.conn.WaitForNotification(wctx)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil && wctx.Err() == nil:
		l.s.log.Warn("pgstore: Watch lost its notification connection; polling until it is back", "schema", l.s.schema, "every", l.s.poll, "error", err)
		l.close()
		<-wctx.Done() // poll at the usual pace rather than at once
		return ctx.Err()
	}
	return nil
}

// close closes the connection, if any.
func (l *listener) close() {
	if l.conn != nil {
		_ = l.conn.Close(context.Background())
		l.conn = nil
	}
}

var _ store.ChangeFeed = (*Store)(nil)

// Follow is store.ChangeFeed's Follow, which the certs Manager's scheduler
// uses to serve what other replicas write: Watch, with each Change
// reported as a store.Change. A truncated table (OpReset), and a position
// whose changes were pruned, are reported as a store.Change with Reset set
// (read everything again); after a prune, following resumes from the last
// pruned position, so changes after it may be reported twice.
func (s *Store) Follow(ctx context.Context, since int64, fn func(store.Change) error) error {
	for {
		err := s.Watch(ctx, since, func(c Change) error {
			if err := fn(store.Change{Seq: c.Seq, Name: c.Name, Deleted: c.Op == OpDelete, Reset: c.Op == OpReset}); err != nil {
				return err
			}
			since = c.Seq
			return nil
		})
		var pe *PrunedError
		if !errors.As(err, &pe) {
			return err
		}
		if err := fn(store.Change{Seq: pe.PrunedThrough, Reset: true}); err != nil {
			return err
		}
		since = pe.PrunedThrough
	}
}
