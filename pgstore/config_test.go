package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPasswordNeverPrinted: a Config and a Store print, log and marshal
// without the DSN's password, with every fmt verb; and New's errors for
// DSNs it cannot parse do not quote it either.
func TestPasswordNeverPrinted(t *testing.T) {
	t.Parallel()
	dsn, _ := newDB(t)
	pw := srv.AppPassword()
	require.Contains(t, dsn, pw)
	cfg := Config{DSN: dsn}
	s := newStoreDSN(t, dsn, Config{})
	for label, v := range map[string]any{"Config": cfg, "*Config": &cfg, "Store": s} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%T %v"} {
			out := fmt.Sprintf(verb, v)
			require.NotContains(t, out, pw, "%s printed with %s", label, verb)
		}
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		buf.Write(b)
		require.NotContains(t, buf.String(), pw, "%s logged or marshalled", label)
		require.Contains(t, buf.String(), "pgtest_app", "%s does not say who it connects as", label)
	}

	const secret = "Sup3rS3cretPw"
	for _, bad := range []string{
		"postgres://user:" + secret + "@host:notaport/db",
		"postgres://user:" + secret + "@[::1/db",
		"postgresql://user:" + secret + "@host/db?sslmode=sometimes",
		"postgres://user:" + secret + "@host/db?password=" + secret + "&connect_timeout=x",
		"host=h password=" + secret + " port=notaport",
		"host=h password='" + secret + " sslmode=verify-full",
		"user=u password=" + secret + " sslmode=nonsense",
		"%%%" + secret + "%%%",
		"postgres://user:" + secret + "@host:5432/db?sslrootcert=/nonexistent/" + secret + "&sslmode=verify-full",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := New(ctx, Config{DSN: bad, Logger: quiet()})
		cancel()
		require.Error(t, err, bad)
		require.NotContains(t, err.Error(), secret, bad)
		c := Config{DSN: bad}
		require.NotContains(t, c.String(), secret, bad)
	}
}
