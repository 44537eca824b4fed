package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/certs-dev/certs/store"
)

// Config configures a Manager. The zero value is usable: it stores records
// in the filesystem under store.DefaultDir(), logs through slog.Default()
// and has no issuer (Obtain returns ErrNoIssuer).
type Config struct {
	// Store persists records. Nil means store.NewFS(store.DefaultDir()):
	// $XDG_DATA_HOME/certs, else ~/.local/share/certs.
	Store Store
	// EncryptionKey, when set, seals private keys and ACME account keys at
	// rest with AES-256-GCM (the Store is wrapped with store.NewEncrypted).
	// PreviousEncryptionKeys still decrypt what older keys sealed, so keys
	// can be rotated; reading with no matching key is store.ErrDecrypt.
	EncryptionKey          *store.Key
	PreviousEncryptionKeys []store.Key
	// Issuer obtains ACME certificates (see the acme package). Nil disables
	// Obtain and Renew.
	Issuer Issuer
	// DNSProvider presents DNS-01 records (see the dnsprovider package).
	DNSProvider DNSProvider
	// DNSProviderFor, when set, picks the DNS provider per hostname (for
	// platforms whose customers bring their own DNS credentials); a nil
	// result falls back to DNSProvider.
	DNSProviderFor func(hostname string) DNSProvider
	// NewDNSProvider builds a DNS provider from its name and credentials,
	// for orders that name one (ObtainOptions.DNSProviderName); the name
	// and credentials are stored so that renewals rebuild the same
	// provider. Set it to dnsprovider.New, or dnsprovider/all.New for
	// every provider.
	NewDNSProvider func(name string, credentials map[string]string) (DNSProvider, error)
	// Logger receives the Manager's logs. Nil means slog.Default().
	Logger *slog.Logger
	// Clock returns the current time. Nil means time.Now. Tests inject one.
	Clock func() time.Time

	// ExpiringWithin is when a certificate becomes "expiring_soon".
	// Zero means 30 days.
	ExpiringWithin time.Duration
	// Roots verifies the chains of imported certificates (internal CAs).
	// Nil means the system roots.
	Roots *x509.CertPool
	// RequireTrustedChain refuses imports whose chain does not verify
	// against Roots (ErrIncompleteChain) instead of warning.
	RequireTrustedChain bool
	// AllowWeakKeys accepts RSA keys of 1024-2047 bits with a warning
	// instead of refusing them with ErrWeakKey.
	AllowWeakKeys bool
	// MaxSANs is the SAN count above which imports get a warning. Zero
	// means 100.
	MaxSANs int
	// UploadLimits bound what one Import or Validate may cost: size (1 MiB),
	// certificates (50), keys (8), chain length (10), PKCS#12 key-derivation
	// iterations (300,000 in all). Zero fields take those defaults; an
	// upload over a limit gets ErrInputTooLarge, ErrTooManyCertificates,
	// ErrTooManyKeys, ErrChainTooLong or ErrPKCS12TooExpensive.
	UploadLimits UploadLimits
	// AllowLegacyCertificates accepts, with the warnings no_san,
	// no_server_auth and weak_signature, certificates that every current
	// client refuses (no subject alternative name, no serverAuth usage, a
	// SHA-1 or MD5 signature), for closed environments with old clients.
	// By default they are refused with ErrNoSAN, ErrNoServerAuth and
	// ErrWeakSignature.
	AllowLegacyCertificates bool

	// DNS configures DNS requirements, ownership and Check.
	DNS DNSConfig

	// MaxConcurrentOrders bounds the ACME orders one Manager runs at once
	// (each holds its hostname's order lock in the Store); more wait their
	// turn. Zero means 8. With the PostgreSQL store keep it well below its
	// MaxLockConns (32 by default): every held lock takes a connection.
	MaxConcurrentOrders int

	// BackgroundLoad makes New return at once and load the stored
	// hostnames in the background, for fleets whose start-up would take
	// seconds: meanwhile a handshake for a name not loaded yet reads it
	// from the Store at once, so every stored name is servable from the
	// start. Loaded waits for the load to end and tells how it went.
	BackgroundLoad bool

	// MaxLoadedHostnames, when positive, bounds how many hostnames'
	// records (with their parsed certificates) are held in memory, for
	// fleets larger than memory. Every stored name stays known (a few
	// hundred bytes each), so a name that is not stored costs no Store
	// read; a handshake for a name whose record is not held loads it from
	// the Store (one read however many handshakes wait for it) and the
	// least recently used records are dropped to make room. Handshakes for
	// held names stay lock-free. Zero (the default) holds every record.
	MaxLoadedHostnames int

	// OnDemand, when set, obtains certificates during handshakes for names
	// the Manager does not hold, as its Decide policy allows (see
	// OnDemandConfig). Nil (the default) never does. It needs an Issuer.
	OnDemand *OnDemandConfig

	// DisableOCSPStapling turns OCSP stapling off. By default the scheduler
	// (Start, RenewDue) fetches, verifies and keeps in the Store the OCSP
	// responses of certificates that name a responder and chain to
	// Roots, and handshakes staple them; a response the responder marks
	// revoked revokes the certificate (see Certificate.OCSP).
	DisableOCSPStapling bool

	// DefaultCertificate is served to clients that send no SNI. Nil makes
	// such handshakes fail with ErrNoServerName.
	DefaultCertificate *tls.Certificate
	// InUse, when set, is asked before a removal that would leave a
	// hostname with nothing to serve; returning true refuses the removal
	// with ErrInUse. Platforms plug in their "is any app using it" check.
	// It is called while the hostname is locked for the removal: it may
	// read from the Manager but must not change that hostname.
	InUse func(ctx context.Context, hostname string) (bool, error)
}

// Manager manages the certificates of many hostnames and serves them.
//
// All methods are safe for concurrent use. GetCertificate reads an
// in-memory index without locks and never blocks on writers; every change
// is persisted to the Store first and then published to the index with
// atomic stores, so in-flight handshakes are never disturbed.
type Manager struct {
	store          Store
	issuer         Issuer
	dns            DNSProvider
	log            *slog.Logger
	now            func() time.Time
	expiringWithin time.Duration
	roots          *x509.CertPool
	requireTrusted bool
	allowWeak      bool
	maxSANs        int
	uploadLimits   UploadLimits
	allowLegacy    bool
	defaultCert    *tls.Certificate
	inUse          func(ctx context.Context, hostname string) (bool, error)

	dnsFor func(hostname string) DNSProvider
	newDNS func(name string, credentials map[string]string) (DNSProvider, error)
	dnsCfg DNSConfig
	jitter func(time.Duration) time.Duration

	index   atomic.Pointer[snapshot]
	indexMu sync.Mutex // serializes index writers; readers never take it
	claims  claimIndex // who serves which further name; under indexMu
	// dirty holds the names published while a Reload reads the Store (nil
	// otherwise); under indexMu. reloadMu serializes Reloads.
	dirty    map[string]struct{}
	reloadMu sync.Mutex

	hostLocks keyedMutex
	events    eventBus
	alpn      alpnCerts
	flights   flightGroup
	sched     scheduler

	runMu sync.Mutex
	stop  func()

	damaged    damagedSet
	feedPos    atomic.Int64 // the Store's change position handled (follow.go)
	feedOK     atomic.Bool
	onDemand   *onDemand     // nil unless Config.OnDemand
	orderSlots chan struct{} // bounds orders holding their lock (locks.go)
	loading    atomic.Bool   // a background load runs (Config.BackgroundLoad)
	loaded     chan struct{} // closed when it ended; loadErr is its outcome
	loadErr    error
	bounded    *bounded  // nil unless Config.MaxLoadedHostnames
	loads      loadGroup // records read for handshakes (bounded.go)

	ocsp       *stapler // nil when Config.DisableOCSPStapling
	ocspClient *http.Client

	expMu    sync.Mutex
	expiring map[string]string // "host source" -> fingerprint whose expiring event was emitted
}

// Store returns the Store the Manager uses: Config.Store, sealed when
// Config.EncryptionKey is set. Plug-ins that keep state of their own next
// to the records (webhook subscriptions, for example) should use it, so
// that their secrets are sealed too.
func (m *Manager) Store() Store { return m.store }

// String describes the Manager without anything it holds (a Manager holds
// private keys).
func (m *Manager) String() string {
	if m == nil {
		return "<nil certs.Manager>"
	}
	return "certs.Manager{records and keys not shown}"
}

// Format makes every fmt verb print String.
func (m *Manager) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(m.String())) }

// LogValue makes slog print String.
func (m *Manager) LogValue() slog.Value { return slog.StringValue(m.String()) }

// New validates cfg, fills in its defaults, and loads every stored record
// into the serving index. It is NewContext with context.Background().
func New(cfg Config) (*Manager, error) {
	return NewContext(context.Background(), cfg)
}

// NewContext is New with a context for loading the stored records.
func NewContext(ctx context.Context, cfg Config) (*Manager, error) {
	if cfg.ExpiringWithin < 0 {
		return nil, fmt.Errorf("%w: ExpiringWithin is negative; use a positive duration or zero for 30 days", ErrInvalidConfig)
	}
	if cfg.MaxConcurrentOrders < 0 {
		return nil, fmt.Errorf("%w: MaxConcurrentOrders is negative; use a positive count or zero for 8", ErrInvalidConfig)
	}
	if cfg.MaxLoadedHostnames < 0 {
		return nil, fmt.Errorf("%w: MaxLoadedHostnames is negative; use a positive count, or zero to hold every hostname in memory", ErrInvalidConfig)
	}
	if cfg.MaxSANs < 0 {
		return nil, fmt.Errorf("%w: MaxSANs is negative; use a positive count or zero for 100", ErrInvalidConfig)
	}
	if cfg.DNS.RequireOwnership && len(cfg.DNS.OwnershipValues) == 0 && len(cfg.DNS.OwnershipNamed) == 0 && cfg.DNS.RequirementsFor == nil {
		return nil, fmt.Errorf("%w: DNS.RequireOwnership needs DNS.OwnershipValues, the TXT values that prove ownership", ErrInvalidConfig)
	}
	if dc := cfg.DefaultCertificate; dc != nil && (len(dc.Certificate) == 0 || dc.PrivateKey == nil) {
		return nil, fmt.Errorf("%w: DefaultCertificate has no certificate or no private key", ErrInvalidConfig)
	}
	m := &Manager{
		store: cfg.Store, issuer: cfg.Issuer, dns: cfg.DNSProvider,
		log: cfg.Logger, now: cfg.Clock, expiringWithin: cfg.ExpiringWithin,
		roots: cfg.Roots, requireTrusted: cfg.RequireTrustedChain,
		allowWeak: cfg.AllowWeakKeys, maxSANs: cfg.MaxSANs,
		uploadLimits: cfg.UploadLimits, allowLegacy: cfg.AllowLegacyCertificates,
		defaultCert: cfg.DefaultCertificate, inUse: cfg.InUse,
		dnsFor: cfg.DNSProviderFor, newDNS: cfg.NewDNSProvider, jitter: randDuration, dnsCfg: cfg.DNS,
		sched: scheduler{wake: make(chan struct{}, 1)},
	}
	m.orderSlots = make(chan struct{}, cmpOr(cfg.MaxConcurrentOrders, 8))
	if cfg.MaxLoadedHostnames > 0 {
		m.bounded = newBounded(cfg.MaxLoadedHostnames)
	}
	if !cfg.DisableOCSPStapling {
		m.ocsp, m.ocspClient = newStapler(), &http.Client{}
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.expiringWithin == 0 {
		m.expiringWithin = 30 * 24 * time.Hour
	}
	if m.store == nil {
		dir, err := store.DefaultDir()
		if err != nil {
			return nil, fmt.Errorf("%w: no Store given and no default directory: %v", ErrInvalidConfig, err)
		}
		fs, err := store.NewFS(dir)
		if err != nil {
			return nil, fmt.Errorf("%w: default store: %v", ErrInvalidConfig, err)
		}
		m.store = fs
	}
	if cfg.EncryptionKey != nil {
		enc, err := store.NewEncrypted(m.store, *cfg.EncryptionKey, cfg.PreviousEncryptionKeys...)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
		}
		m.store = enc
	}
	bindIssuerStore(cfg, m.store)
	if cfg.OnDemand != nil {
		od, err := cfg.OnDemand.withDefaults()
		if err != nil {
			return nil, err
		}
		if cfg.Issuer == nil {
			return nil, fmt.Errorf("%w: OnDemand needs an Issuer to obtain certificates", ErrInvalidConfig)
		}
		m.onDemand = newOnDemand(od, m.now)
	}
	m.index.Store(newSnapshot())
	m.feedStart(ctx)
	if cfg.BackgroundLoad {
		m.loadInBackground()
		return m, nil
	}
	var damaged *DamagedRecordsError
	if err := m.Reload(ctx); err != nil && !errors.As(err, &damaged) {
		return nil, err
	}
	return m, nil
}

// bindIssuerStore hands st, the Manager's Store as it uses it (sealed when
// an encryption key is set), to every Issuer (those of an IssuerList
// included) that keeps secrets in a Store of its own and has none, or has
// the Store given as cfg.Store.
func bindIssuerStore(cfg Config, st Store) {
	issuers := []Issuer{cfg.Issuer}
	if l, ok := cfg.Issuer.(*IssuerList); ok {
		issuers = l.issuers
	}
	for _, iss := range issuers {
		su, ok := iss.(StoreUser)
		if !ok {
			continue
		}
		if cur := su.Store(); cur == nil || sameStore(cur, cfg.Store) {
			su.UseStore(st)
		}
	}
}

// sameStore reports whether a and b are the same Store value (false for
// values of types that cannot be compared).
func sameStore(a, b Store) bool {
	if a == nil || b == nil {
		return false
	}
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && a == b
}

// randDuration returns a uniformly random duration in [0, d).
func randDuration(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)))
}
