package pgstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Config configures New. Exactly one of DSN and Pool is set; every other
// field has a documented default for its zero value.
//
// A Config never prints its DSN's password: String, GoString, Format (every
// fmt verb), LogValue and MarshalJSON show the host, port, database, user
// and schema only. Like store.Record, a Config in an unexported field of a
// struct that fmt prints is dumped without calling any method; do not keep
// one there.
type Config struct {
	// DSN is a PostgreSQL connection string, as a URL
	// ("postgres://user:password@host:5432/db?sslmode=verify-full") or as
	// key=value pairs ("host=db user=certs dbname=certs"); the libpq
	// environment variables (PGHOST, PGPASSWORD, ...) and ~/.pgpass fill in
	// what it leaves out. The Store opens a pool of its own and closes it
	// in Close.
	DSN string
	// Pool is an existing pool to use instead of DSN; Close leaves it
	// open. The Store's locks and Watch use connections of their own, made
	// with the pool's settings.
	Pool *pgxpool.Pool
	// Schema is the PostgreSQL schema holding the store's tables, created
	// if missing: lowercase letters, digits and '_', starting with a
	// letter or '_', at most 48 bytes, not starting with "pg_". Empty
	// means "certs". Stores with different schemas in one database are
	// independent (records, locks and change feeds).
	Schema string
	// Logger receives the store's logs (migrations applied, the trigram
	// index missing, locks lost, notifications falling back to polling).
	// Nil means slog.Default().
	Logger *slog.Logger
	// MaxLockConns caps the connections used by locks: each lock held or
	// awaited uses one, so that it dies with its holder. A Lock beyond
	// the cap waits for one (or for its context). 0 means 32. Set it above
	// the number of locks held at once in this process: the certs Manager
	// holds at most two per operation in flight (an order lock, then a
	// record lock).
	MaxLockConns int32
	// PollInterval is how often Watch reads the change feed when no
	// notification arrives (notifications can be lost when the listening
	// connection breaks). 0 means 5 seconds.
	PollInterval time.Duration
}

// Defaults of Config.
const (
	DefaultSchema       = "certs"
	DefaultMaxLockConns = 32
	DefaultPollInterval = 5 * time.Second
)

// schemaRe is what Config.Schema accepts: a name that needs no quoting and
// leaves room for the notification channel's suffix.
var schemaRe = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,47}$`)

// withDefaults validates c and returns it with its defaults filled in.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.DSN == "" && c.Pool == nil:
		return c, fmt.Errorf("%w: neither DSN nor Pool is set; set DSN to a connection string such as postgres://user:password@host:5432/db", ErrInvalidConfig)
	case c.DSN != "" && c.Pool != nil:
		return c, fmt.Errorf("%w: both DSN and Pool are set; set only one", ErrInvalidConfig)
	case c.MaxLockConns < 0:
		return c, fmt.Errorf("%w: MaxLockConns is negative; use a positive count or 0 for %d", ErrInvalidConfig, DefaultMaxLockConns)
	case c.PollInterval < 0:
		return c, fmt.Errorf("%w: PollInterval is negative; use a positive duration or 0 for %s", ErrInvalidConfig, DefaultPollInterval)
	}
	if c.Schema == "" {
		c.Schema = DefaultSchema
	}
	if !schemaRe.MatchString(c.Schema) || strings.HasPrefix(c.Schema, "pg_") {
		return c, fmt.Errorf("%w: Schema %q: use lowercase letters, digits and '_', starting with a letter or '_', at most 48 bytes, not starting with pg_", ErrInvalidConfig, truncate(c.Schema))
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxLockConns == 0 {
		c.MaxLockConns = DefaultMaxLockConns
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	return c, nil
}

// poolConfig returns the settings of the data pool: parsed from DSN, or a
// copy of Pool's.
func (c Config) poolConfig() (*pgxpool.Config, error) {
	if c.Pool != nil {
		return c.Pool.Config(), nil
	}
	pc, err := pgxpool.ParseConfig(c.DSN)
	if err != nil {
		return nil, dsnError(err)
	}
	return pc, nil
}

// dsnError turns the driver's parse error into one that cannot hold the
// password: the driver's message quotes the connection string, with the
// password masked only on a best-effort basis, so only its reason is kept.
func dsnError(err error) error {
	reason := "it is malformed"
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		msg := pe.Error()
		if i := strings.LastIndex(msg, "`: "); i >= 0 {
			msg = msg[i+3:]
			// The cause in parentheses may quote the string again: kept
			// only when it cannot hold any part of it.
			if j := strings.Index(msg, " ("); j >= 0 && strings.ContainsAny(msg[j:], ":@=/'\"") {
				msg = msg[:j]
			}
			reason = msg
		}
	}
	return fmt.Errorf("%w: DSN cannot be parsed (%s); use a URL such as postgres://user:password@host:5432/db?sslmode=verify-full or key=value pairs such as \"host=db user=certs dbname=certs\" (the DSN is not shown: it may hold a password)",
		ErrInvalidConfig, reason)
}

// describe names a connection without its password.
func describe(cc *pgconn.Config, schema string) string {
	return "host=" + cc.Host + " port=" + strconv.Itoa(int(cc.Port)) + " database=" + cc.Database + " user=" + cc.User + " schema=" + schema
}

// String describes the configuration without the DSN's password.
func (c Config) String() string {
	schema := c.Schema
	if schema == "" {
		schema = DefaultSchema
	}
	switch {
	case c.Pool != nil:
		return "pgstore.Config{" + describe(c.Pool.Config().ConnConfig.Config.Copy(), schema) + " (given pool)}"
	case c.DSN == "":
		return "pgstore.Config{no DSN, schema=" + schema + "}"
	}
	cc, err := pgconn.ParseConfig(c.DSN)
	if err != nil {
		return "pgstore.Config{unparseable DSN, schema=" + schema + "}"
	}
	return "pgstore.Config{" + describe(cc, schema) + "}"
}

// GoString is like String, so that %#v does not print the password either.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue logs String.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON encodes String as a JSON string.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// truncate shortens s for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
