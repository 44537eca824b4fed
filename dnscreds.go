package certs

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
)

// DNS providers given by name (ObtainOptions.DNSProviderName) are kept for
// retries and renewals: the name in ACMEOptions.DNSProvider, the
// credentials as a secret of the hostname's record (sealed at rest with
// Config.EncryptionKey, like private keys), never in the record's JSON.
// The current certificate's credentials and those of a pending order are
// kept apart, so that an order that fails does not break the renewal of
// the certificate being served.
const (
	// dnsCredentialsKey holds the credentials of the current ACME
	// certificate's DNS provider (the Store secret "acme-dns.key").
	dnsCredentialsKey Source = "acme-dns"
	// pendingDNSCredentialsKey holds those of the pending order.
	pendingDNSCredentialsKey Source = "acme-dns-pending"
)

// ErrInvalidDNSProviderOptions is returned for DNS provider options that
// contradict each other; the wrapping error says which and how to fix it.
var ErrInvalidDNSProviderOptions = errors.New("certs: invalid DNS provider options")

// Messages of ErrInvalidDNSProviderOptions.
var (
	errProviderTwice = fmt.Errorf("%w: both DNSProvider and DNSProviderName are set; give the DNS provider either as an object or by name, not both",
		ErrInvalidDNSProviderOptions)
	errCredentialsWithoutName = fmt.Errorf("%w: DNSCredentials are set without DNSProviderName; name the provider they belong to",
		ErrInvalidDNSProviderOptions)
	errProviderObjectAsync = fmt.Errorf("%w: Request cannot use ObtainOptions.DNSProvider, because a provider object cannot be stored for the scheduler; "+
		"give it by name (DNSProviderName and DNSCredentials, with Config.NewDNSProvider), or set Config.DNSProviderFor or Config.DNSProvider",
		ErrInvalidDNSProviderOptions)
)

// errProviderNotStored wraps ErrNoDNSProvider for retries and renewals,
// which cannot reuse a provider given as an object.
var errProviderNotStored = fmt.Errorf("%w (a provider given as an object, ObtainOptions.DNSProvider, is not kept for retries and renewals: "+
	"give it by name with ObtainOptions.DNSProviderName or RenewOptions.DNSProviderName and Config.NewDNSProvider, "+
	"or set Config.DNSProviderFor or Config.DNSProvider)", ErrNoDNSProvider)

// checkProviderOptions refuses contradictory DNS provider options.
func checkProviderOptions(obj DNSProvider, name string, creds DNSCredentials) error {
	switch {
	case obj != nil && name != "":
		return errProviderTwice
	case name == "" && len(creds) > 0:
		return errCredentialsWithoutName
	}
	return nil
}

// buildDNSProvider builds a named DNS provider with Config.NewDNSProvider.
// The factory's error is wrapped with every credential value blanked out.
func (m *Manager) buildDNSProvider(hostname, name string, creds map[string]string) (DNSProvider, error) {
	if m.newDNS == nil {
		return nil, fmt.Errorf("%w (provider %q for %s)", ErrNoDNSProviderFactory, name, hostname)
	}
	p, err := m.newDNS(name, maps.Clone(creds))
	if err != nil {
		return nil, redactError(fmt.Errorf("certs: DNS provider %q for %s: %w", name, hostname, err), creds)
	}
	if p == nil {
		return nil, fmt.Errorf("certs: Config.NewDNSProvider returned no provider for %q (%s)", name, hostname)
	}
	return p, nil
}

// encodeCredentials is the stored form of a provider's credentials.
func encodeCredentials(creds map[string]string) []byte {
	b, _ := json.Marshal(creds) // a map[string]string always encodes
	return b
}

// decodeCredentials reads stored credentials; its error never shows them.
func decodeCredentials(hostname string, b []byte) (map[string]string, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var creds map[string]string
	if err := json.Unmarshal(b, &creds); err != nil {
		return nil, fmt.Errorf("certs: the stored DNS credentials of %s are unreadable; give the provider again with RenewOptions.DNSProviderName and DNSCredentials", hostname)
	}
	return creds, nil
}

// setCredentials stores creds under key when the options name a provider,
// and drops the secret otherwise.
func setCredentials(keys keyring, key Source, opts ACMEOptions, creds map[string]string) {
	if opts.DNSProvider == "" {
		delete(keys, key)
		return
	}
	keys[key] = encodeCredentials(creds)
}

// redactError blanks every credential value out of err's message, for
// factories whose errors quote what they were given. A redacted error
// does not wrap the original, which would still hold the values.
func redactError(err error, creds map[string]string) error {
	msg := err.Error()
	redacted := false
	for _, v := range creds {
		if len(v) >= 4 && strings.Contains(msg, v) {
			msg, redacted = strings.ReplaceAll(msg, v, "[redacted]"), true
		}
	}
	if !redacted {
		return err
	}
	return errors.New(msg)
}
