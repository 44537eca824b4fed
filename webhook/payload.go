package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/certs-dev/certs"
)

// Payload is the JSON body of a delivery. It is built field by field from
// a certs.Event, so that nothing the Event may grow (and no key material)
// reaches a receiver unless it is added here.
type Payload struct {
	// ID is the delivery ID, the same on every attempt (DeliveryHeader).
	ID       string          `json:"id"`
	Type     certs.EventType `json:"type"`
	Hostname string          `json:"hostname"`
	// Tenant is the hostname's tenant (its TenantLabel), if any.
	Tenant string       `json:"tenant,omitempty"`
	Source certs.Source `json:"source,omitempty"`
	// Time is when the event happened.
	Time        time.Time    `json:"time"`
	Certificate *Certificate `json:"certificate,omitempty"`
	// Error describes a failure (renewal_failed, obtain_failed, damaged).
	Error string `json:"error,omitempty"`
}

// Certificate is the public part of the certificate an event is about:
// never a private key.
type Certificate struct {
	Source            certs.Source `json:"source"`
	Status            certs.Status `json:"status"`
	CommonName        string       `json:"common_name"`
	SANs              []string     `json:"sans"`
	Names             []string     `json:"names,omitempty"`
	Issuer            string       `json:"issuer"`
	Serial            string       `json:"serial"`
	NotBefore         time.Time    `json:"not_before"`
	NotAfter          time.Time    `json:"not_after"`
	KeyType           string       `json:"key_type"`
	FingerprintSHA256 string       `json:"fingerprint_sha256"`
	// CertificateAuthority is the readable name of the issuing ACME CA.
	CertificateAuthority string     `json:"certificate_authority,omitempty"`
	RevokedAt            *time.Time `json:"revoked_at,omitempty"`
	// ChainPEM is the certificate chain as served, leaf first.
	ChainPEM string `json:"chain_pem"`
}

// newPayload builds the payload of ev for delivery id.
func newPayload(id, tenant string, ev certs.Event) Payload {
	p := Payload{ID: id, Type: ev.Type, Hostname: ev.Hostname, Tenant: tenant,
		Source: ev.Source, Time: ev.Time, Error: ev.Err}
	if c := ev.Certificate; c != nil {
		p.Certificate = &Certificate{
			Source: c.Source, Status: c.Status, CommonName: c.CommonName,
			SANs: c.SANs, Names: c.Names, Issuer: c.Issuer, Serial: c.Serial,
			NotBefore: c.NotBefore, NotAfter: c.NotAfter, KeyType: c.KeyType,
			FingerprintSHA256: c.FingerprintSHA256, CertificateAuthority: c.CertificateAuthority,
			RevokedAt: c.RevokedAt, ChainPEM: c.ChainPEM,
		}
	}
	return p
}

// encode marshals p, refusing a body that holds a PEM private key.
func (p Payload) encode() ([]byte, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("webhook: encode the payload of %s: %w", p.ID, err)
	}
	if bytes.Contains(body, []byte("PRIVATE KEY")) {
		return nil, fmt.Errorf("%w (%s event of %s)", ErrKeyMaterial, p.Type, p.Hostname)
	}
	return body, nil
}
