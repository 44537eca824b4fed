package pgstore

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// TestSecretsCodec: secrets round-trip, and every malformed column is an
// error (a damaged record), never a panic or a partial map.
func TestSecretsCodec(t *testing.T) {
	t.Parallel()
	full := map[string][]byte{"custom.key": []byte("pem"), "account.key": {0, 1, 255}, "empty": {}}
	for _, m := range []map[string][]byte{nil, full, {"k": make([]byte, 70000)}} {
		got, err := decodeSecrets(encodeSecrets(m))
		require.NoError(t, err)
		require.Len(t, got, len(m))
		for k, v := range m {
			require.Equal(t, v, got[k], k)
		}
	}
	good := encodeSecrets(full)
	for _, tc := range []struct {
		name string
		b    []byte
		says string
	}{
		{"empty", nil, "truncated"},
		{"newer format", append([]byte{2}, good[1:]...), "format 2"},
		{"truncated", good[:len(good)/2], "truncated"},
		{"trailing bytes", append(append([]byte{}, good...), 0), "too many"},
		{"count beyond the bytes", []byte{1, 100}, "truncated"},
		{"length beyond the bytes", []byte{1, 1, 200, 1, 'a'}, "truncated"},
		{"overlong length", []byte{1, 0x80, 0}, "malformed length"},
		{"names out of order", encodeSecretsUnsorted("b", "a"), "out of order"},
		{"a name twice", encodeSecretsUnsorted("a", "a"), "out of order"},
		{"bad varint", []byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "truncated"},
	} {
		_, err := decodeSecrets(tc.b)
		require.ErrorContains(t, err, tc.says, tc.name)
	}
}

// TestTimesRoundTrip: times keep their nanoseconds and instant through the
// split into a timestamptz and nanoseconds, before 1970 and at the zero
// time too; a zero expiry is 'infinity'.
func TestTimesRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tm := range []time.Time{
		{},
		time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.FixedZone("X", -3600)),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Unix(0, -1),
	} {
		p := splitTime(tm, false)
		require.True(t, p.nsec >= 0 && p.nsec <= 999, "%v: nsec %d", tm, p.nsec)
		require.True(t, tm.Equal(p.time()), "%v came back as %v", tm, p.time())
	}
	require.True(t, splitTime(time.Time{}, true).time().IsZero())
}

// FuzzDecodeSecrets: no input makes the decoder panic, and whatever it
// accepts encodes back to the same bytes.
func FuzzDecodeSecrets(f *testing.F) {
	f.Add(encodeSecrets(map[string][]byte{"a": []byte("x"), "b": nil}))
	f.Add([]byte{1, 0})
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeSecrets(b)
		if err == nil {
			require.Equal(t, b, encodeSecrets(m))
		}
	})
}

// FuzzDecodeCursor: no cursor makes List's decoder panic, and an accepted
// cursor is for the order it was checked against.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(&row{name: "a.test", expires: splitTime(time.Time{}, true)}, store.ListOptions{Sort: store.SortByExpiry}), 1, false)
	f.Add(encodeCursor(&row{name: "a.test"}, store.ListOptions{}), 0, true)
	f.Add("eyJ4IjoxfQ", 2, false)
	f.Fuzz(func(t *testing.T, s string, sort int, desc bool) {
		opts := store.ListOptions{Sort: store.SortField(sort), Desc: desc}
		c, err := decodeCursor(s, opts)
		if err != nil {
			require.ErrorIs(t, err, store.ErrInvalidCursor)
			return
		}
		require.Equal(t, opts.Sort, c.S)
		require.Equal(t, opts.Desc, c.D)
		require.NoError(t, store.CheckName(c.K))
		require.Len(t, c.values(opts.Sort), len(sortColumns[opts.Sort]))
	})
}

// encodeSecretsUnsorted encodes empty secrets of the given names in the
// given order.
func encodeSecretsUnsorted(names ...string) []byte {
	b := []byte{secretsFormat, byte(len(names))}
	for _, n := range names {
		b = append(append(append(b, byte(len(n))), n...), 0)
	}
	return b
}

// FuzzNamePattern: the records table's CHECK accepts exactly the names
// store.CheckName accepts (Go's regexp and PostgreSQL's agree on this
// pattern's syntax).
func FuzzNamePattern(f *testing.F) {
	re := regexp.MustCompile(namePattern)
	for _, n := range []string{"example.com", "*.example.com", "_acme-challenge.a-b.example", "a..b", "-a.com", "*", "a_", strings.Repeat("a", 64), "*." + strings.Repeat("a", 63)} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		db := len(name) <= 253 && re.MatchString(name)
		require.Equal(t, store.CheckName(name) == nil, db, "%q", name)
	})
}
