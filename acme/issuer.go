package acme

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/certificate"

	"github.com/certs-dev/certs"
)

// Issuer obtains, revokes and looks up the renewal windows of certificates
// at one ACME CA, under one account. It is safe for concurrent use; every
// method honours its context (see the package documentation).
type Issuer struct {
	cfg    Config
	dirURL string
	http   *httpTemplate
	log    *slog.Logger
	dns    *dnsChecker

	propagation time.Duration // < 0: no propagation check
	validation  time.Duration // bound on the wait for the CA to validate
	accounts    *accounts
}

var (
	_ certs.Issuer        = (*Issuer)(nil)
	_ certs.RenewalInfoer = (*Issuer)(nil)
	_ certs.StoreUser     = (*Issuer)(nil)
	_ certs.NamedIssuer   = (*Issuer)(nil)
)

// Store returns the Store that keeps the Issuer's account (nil until one
// is given or the Issuer is handed to a Manager).
func (i *Issuer) Store() certs.Store { return i.accounts.storeOf() }

// UseStore makes the Issuer keep its account in st. certs.New calls it (see
// Config.Store); call it only before the Issuer is used.
func (i *Issuer) UseStore(st certs.Store) { i.accounts.use(st) }

// New validates cfg and returns an Issuer. It does not contact the CA: the
// account is loaded or created on first use.
func New(cfg Config) (*Issuer, error) {
	if !cfg.AgreeTOS {
		return nil, ErrTOSNotAgreed
	}
	dirURL, err := cfg.directoryURL()
	if err != nil {
		return nil, err
	}
	if err := validateEmail(cfg.Email); err != nil {
		return nil, err
	}
	if cfg.EAB != nil {
		if err := cfg.EAB.validate(); err != nil {
			return nil, err
		}
	}
	if cfg.DefaultChallenge != "" && !validChallenge(cfg.DefaultChallenge) {
		return nil, fmt.Errorf("%w: Config.DefaultChallenge %q", ErrInvalidChallenge, cfg.DefaultChallenge)
	}
	if cfg.ValidationTimeout < 0 {
		return nil, fmt.Errorf("acme: Config.ValidationTimeout is %s; use a positive duration, or zero for the default (%s)",
			cfg.ValidationTimeout, DefaultValidationTimeout)
	}
	resolvers, err := resolverAddrs(cfg.DNSResolvers)
	if err != nil {
		return nil, err
	}
	tmpl, err := newHTTPTemplate(cfg.HTTPClient, cfg.Roots)
	if err != nil {
		return nil, err
	}
	i := &Issuer{
		cfg: cfg, dirURL: dirURL, http: tmpl, log: cfg.Logger,
		dns:         newDNSChecker(resolvers),
		propagation: cfg.PropagationTimeout,
		validation:  cfg.ValidationTimeout,
		accounts:    newAccounts(cfg.Store, dirURL, cfg.Email),
	}
	if i.log == nil {
		i.log = slog.Default()
	}
	if i.propagation == 0 {
		i.propagation = DefaultPropagationTimeout
	}
	if i.validation == 0 {
		i.validation = DefaultValidationTimeout
	}
	return i, nil
}

// Name returns the CA's readable name (Config.Name, or derived from the
// directory).
func (i *Issuer) Name() string {
	if i.cfg.Name != "" {
		return i.cfg.Name
	}
	return caName(i.dirURL)
}

// DirectoryURL returns the CA's directory URL.
func (i *Issuer) DirectoryURL() string { return i.dirURL }

// String describes the Issuer without secrets.
func (i *Issuer) String() string {
	return fmt.Sprintf("acme.Issuer{directory: %q, email: %q}", i.dirURL, i.cfg.Email)
}

// plan is a checked IssueRequest.
type plan struct {
	names     []string
	keyType   certs.KeyType
	profile   string
	challenge certs.ChallengeType
	replaces  string // ARI CertID of IssueRequest.Replaces
	req       certs.IssueRequest
}

// Issue obtains a certificate for req.Names. With req.DryRun it checks the
// request, the CA's directory, the account (creating it if needed) and the
// profile, places no order and returns nil, nil.
//
// Failed challenges are a *certs.ValidationError, rate limits a
// *certs.RateLimitError. A CA that does not finish validating within
// Config.ValidationTimeout gives a *certs.ValidationError with TimedOut set
// (matching certs.ErrValidationTimeout). When ctx is done Issue returns
// promptly with an error matching ctx.Err(), after cleaning up the
// challenges it presented.
func (i *Issuer) Issue(ctx context.Context, req certs.IssueRequest) (*certs.IssuedCertificate, error) {
	p, err := i.plan(req)
	if err != nil {
		return nil, err
	}
	s, err := i.connect(ctx, req.DryRun)
	if err != nil {
		return nil, err
	}
	if p.profile, err = i.checkProfile(ctx, s, p.profile); err != nil {
		return nil, err
	}
	if req.DryRun {
		i.log.DebugContext(ctx, "acme: dry run passed", "names", p.names, "challenge", p.challenge)
		return nil, nil
	}
	ic, err := i.obtain(ctx, s, p)
	if isProblem(err, problemAccountDoesNotExist) {
		if s, err = i.reregister(ctx, s.acct); err != nil {
			return nil, err
		}
		ic, err = i.obtain(ctx, s, p)
	}
	return ic, err
}

// plan checks req against everything that needs no network.
func (i *Issuer) plan(req certs.IssueRequest) (*plan, error) {
	p := &plan{keyType: req.KeyType, profile: req.Profile, challenge: req.Challenge, req: req}
	if p.keyType == "" {
		p.keyType = certs.KeyEC256
	}
	if !p.keyType.Valid() {
		return nil, fmt.Errorf("%w (got %q)", certs.ErrInvalidKeyType, req.KeyType)
	}
	if p.profile == "" {
		p.profile = i.cfg.DefaultProfile
	}
	if p.challenge == "" {
		p.challenge = i.cfg.DefaultChallenge
	}
	if p.challenge == "" {
		p.challenge = certs.ChallengeHTTP01
	}
	if err := checkSolver(p.challenge, req); err != nil {
		return nil, err
	}
	names, err := normalizeNames(req.Names, p.challenge)
	if err != nil {
		return nil, err
	}
	p.names = names
	if req.Replaces != nil {
		if p.replaces, err = certificate.MakeARICertID(req.Replaces); err != nil {
			return nil, fmt.Errorf("acme: IssueRequest.Replaces: %w", err)
		}
	}
	return p, nil
}

func checkSolver(c certs.ChallengeType, req certs.IssueRequest) error {
	switch {
	case !validChallenge(c):
		return fmt.Errorf("%w (got %q)", ErrInvalidChallenge, c)
	case c == certs.ChallengeHTTP01 && req.HTTP01 == nil:
		return ErrNoHTTP01Solver
	case c == certs.ChallengeTLSALPN01 && req.TLSALPN01 == nil:
		return ErrNoTLSALPN01Solver
	case (c == certs.ChallengeDNS01 || c == certs.ChallengeDNSAccount01) && req.DNS01 == nil:
		return fmt.Errorf("%w (%s presents its TXT record through IssueRequest.DNS01)", certs.ErrNoDNSProvider, c)
	}
	return nil
}

// checkProfile returns the profile to request: profile itself when the CA
// offers it, "" when the CA advertises no profiles at all.
func (i *Issuer) checkProfile(ctx context.Context, s *session, profile string) (string, error) {
	offered := s.core.GetDirectory().Meta.Profiles
	if profile == "" {
		return "", nil
	}
	if len(offered) == 0 {
		i.log.WarnContext(ctx, "acme: the CA advertises no profiles; requesting none", "profile", profile)
		return "", nil
	}
	if _, ok := offered[profile]; !ok {
		names := make([]string, 0, len(offered))
		for n := range offered {
			names = append(names, n)
		}
		slices.Sort(names)
		return "", fmt.Errorf("%w: %q; choose one of: %s", ErrUnknownProfile, profile, strings.Join(names, ", "))
	}
	return profile, nil
}

// leaf returns the first certificate of a PEM chain.
func leaf(chainPEM []byte) (*x509.Certificate, error) {
	certs, err := parseChain(chainPEM)
	if err != nil {
		return nil, err
	}
	return certs[0], nil
}
