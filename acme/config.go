package acme

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/certs-dev/certs"
)

// Well-known ACME directories.
const (
	// LetsEncryptProduction is the default directory.
	LetsEncryptProduction = "https://acme-v02.api.letsencrypt.org/directory"
	// LetsEncryptStaging issues untrusted certificates under generous rate
	// limits, for trials.
	LetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory"
)

// DefaultPropagationTimeout is how long Issue waits by default for a DNS-01
// TXT record to become visible before it gives up.
const DefaultPropagationTimeout = 2 * time.Minute

// DefaultValidationTimeout is how long Issue waits by default for the CA to
// finish validating the challenges of an order.
const DefaultValidationTimeout = 3 * time.Minute

// Config configures an Issuer. The zero value is not valid: AgreeTOS and
// Store are required; every other field has a documented default.
type Config struct {
	// DirectoryURL is the CA's ACME directory (https). Empty means Let's
	// Encrypt production, or Let's Encrypt staging when Staging is set.
	DirectoryURL string
	// Staging selects LetsEncryptStaging; it cannot be combined with
	// DirectoryURL.
	Staging bool

	// Email is the account's contact address; empty registers an account
	// without contact (the CA cannot warn you about problems). One account
	// exists per (directory, email).
	Email string
	// AgreeTOS states that you agree to the CA's terms of service. New
	// returns ErrTOSNotAgreed when it is false.
	AgreeTOS bool
	// EAB is the External Account Binding that some CAs (ZeroSSL, Google
	// Trust Services, many private CAs) require; nil means none.
	EAB *ExternalAccountBinding

	// Roots, when set, are the roots trusted for the CA's TLS certificate
	// (for private ACME servers and Pebble), instead of the system roots.
	// With HTTPClient, they apply to a clone of its *http.Transport.
	Roots *x509.CertPool
	// HTTPClient is the client whose Transport, Timeout, Jar and redirect
	// policy are used to talk to the CA; it is never modified. Nil means a
	// client on http.DefaultTransport with a 1-minute request timeout.
	HTTPClient *http.Client

	// Store keeps the ACME account (key and registration) as a blob. Nil
	// means the Store of the Manager the Issuer is given to (certs.Config.
	// Issuer): the Manager hands over its Store, sealed when
	// certs.Config.EncryptionKey is set, so that the account key is sealed
	// at rest like every private key. The Manager does the same when Store
	// is the very Store given to certs.Config.Store. Using the Issuer on its
	// own needs a Store.
	Store certs.Store

	// Logger receives the Issuer's logs; nil means slog.Default().
	Logger *slog.Logger

	// DNSResolvers ("host" or "host:port") answer the DNS-01 CNAME lookups
	// and propagation checks. Empty means: follow CNAMEs with the system's
	// resolvers (/etc/resolv.conf) and check propagation at every
	// authoritative name server of the record's zone.
	DNSResolvers []string
	// PropagationTimeout bounds the DNS-01 propagation check. Zero means
	// DefaultPropagationTimeout; a negative value skips the check and asks
	// the CA to validate right after the DNSProvider returns.
	PropagationTimeout time.Duration
	// ValidationTimeout bounds the wait for the CA to validate an order's
	// challenges, from when they are POSTed. Zero means
	// DefaultValidationTimeout; negative values are refused by New. When it
	// runs out, Issue returns a *certs.ValidationError with TimedOut set
	// (matching certs.ErrValidationTimeout), one problem per challenge the
	// CA had not finished, with the challenge's last status.
	ValidationTimeout time.Duration

	// DefaultChallenge is used when IssueRequest.Challenge is empty; empty
	// means http-01.
	DefaultChallenge certs.ChallengeType
	// IssuerDomainName names the CA in dns-persist-01 records (one of the
	// issuer-domain-names of its challenges, "letsencrypt.org"). Empty
	// means the first of the CAA identities of its directory
	// (meta.caaIdentities), which is what CAs name there.
	IssuerDomainName string
	// Name is the CA's readable name, recorded on every certificate it
	// issues (certs.Certificate.CertificateAuthority) and used by
	// certs.Issuers to prefer the issuing CA at renewal. Empty derives it
	// from the directory: "lets_encrypt", "lets_encrypt_staging",
	// "zerossl", "google", "buypass", else the directory's host name.
	Name string

	// DefaultProfile is used when IssueRequest.Profile is empty; empty lets
	// the CA choose. A profile is not sent to a CA that advertises none.
	DefaultProfile string
}

// ExternalAccountBinding binds a new ACME account to an account at the CA
// (RFC 8555 section 7.3.4). The HMAC key is a secret: it never appears in
// String, %v or JSON output.
type ExternalAccountBinding struct {
	// KeyID is the key identifier given by the CA.
	KeyID string
	// HMACKey is the base64url-encoded MAC key given by the CA.
	HMACKey string `json:"-"`
}

// String describes the binding without its HMAC key.
func (e ExternalAccountBinding) String() string {
	return fmt.Sprintf("ExternalAccountBinding{KeyID: %q, HMACKey: redacted}", e.KeyID)
}

// GoString is like String, so that %#v does not print the key either.
func (e ExternalAccountBinding) GoString() string { return e.String() }

func (e *ExternalAccountBinding) validate() error {
	if e.KeyID == "" || e.HMACKey == "" {
		return fmt.Errorf("acme: Config.EAB needs both KeyID and HMACKey, as given by the CA")
	}
	if _, err := base64.RawURLEncoding.DecodeString(e.HMACKey); err == nil {
		return nil
	}
	if _, err := base64.URLEncoding.DecodeString(e.HMACKey); err != nil {
		// The key itself is not echoed: it is a secret.
		return fmt.Errorf("acme: Config.EAB.HMACKey is not base64url; paste the HMAC key exactly as the CA gave it")
	}
	return nil
}

// directoryURL resolves DirectoryURL and Staging.
func (c *Config) directoryURL() (string, error) {
	switch {
	case c.DirectoryURL != "" && c.Staging:
		return "", fmt.Errorf("acme: set either Config.DirectoryURL or Config.Staging, not both")
	case c.Staging:
		return LetsEncryptStaging, nil
	case c.DirectoryURL == "":
		return LetsEncryptProduction, nil
	}
	u, err := url.Parse(c.DirectoryURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("acme: Config.DirectoryURL %q is not an https URL; ACME requires https", c.DirectoryURL)
	}
	return c.DirectoryURL, nil
}

func validateEmail(email string) error {
	if email == "" {
		return nil
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return fmt.Errorf("acme: Config.Email %q is not a plain address such as ops@example.com", email)
	}
	return nil
}

// resolverAddrs normalizes Config.DNSResolvers to host:port.
func resolverAddrs(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, r := range in {
		r = strings.TrimSpace(r)
		if _, _, err := net.SplitHostPort(r); err != nil {
			if strings.Contains(r, ":") && !strings.HasPrefix(r, "[") && net.ParseIP(r) == nil {
				return nil, fmt.Errorf("acme: Config.DNSResolvers: %q is not host or host:port", r)
			}
			r = net.JoinHostPort(strings.Trim(r, "[]"), "53")
		}
		if r == "" || strings.HasPrefix(r, ":") {
			return nil, fmt.Errorf("acme: Config.DNSResolvers: empty resolver address")
		}
		out = append(out, r)
	}
	return out, nil
}

func validChallenge(c certs.ChallengeType) bool { return c.Valid() }

// caName derives a CA's readable name from its directory URL.
func caName(dirURL string) string {
	switch dirURL {
	case LetsEncryptProduction:
		return "lets_encrypt"
	case LetsEncryptStaging:
		return "lets_encrypt_staging"
	}
	u, err := url.Parse(dirURL)
	if err != nil {
		return dirURL
	}
	host := u.Hostname()
	for _, known := range []struct{ suffix, name string }{
		{"letsencrypt.org", "lets_encrypt"}, {"zerossl.com", "zerossl"},
		{"pki.goog", "google"}, {"buypass.com", "buypass"}, {"buypass.no", "buypass"},
	} {
		if host == known.suffix || strings.HasSuffix(host, "."+known.suffix) {
			return known.name
		}
	}
	return host
}
