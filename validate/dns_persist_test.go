package validate_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/validate"
)

const (
	persistCA   = "ca.example"
	persistAcct = "https://ca.example/acme/acct/1"
)

func TestParsePersistValue(t *testing.T) {
	until := time.Unix(1893456000, 0).UTC()
	tests := []struct {
		name  string
		in    string
		want  validate.PersistValue
		fault string // in the error, when set
	}{
		{name: "issuer and account", in: "ca.example; accounturi=https://ca.example/acct/1",
			want: validate.PersistValue{IssuerDomainName: "ca.example", AccountURI: "https://ca.example/acct/1"}},
		{name: "no spaces, tabs around parameters", in: "ca.example;accounturi=https://a/1;\tpolicy=wildcard ",
			want: validate.PersistValue{IssuerDomainName: "ca.example", AccountURI: "https://a/1", Wildcard: true}},
		{name: "tags and the policy value are case-insensitive", in: "ca.example; AccountURI=https://a/1; Policy=WildCard",
			want: validate.PersistValue{IssuerDomainName: "ca.example", AccountURI: "https://a/1", Wildcard: true}},
		{name: "another policy counts as none", in: "ca.example; accounturi=https://a/1; policy=all",
			want: validate.PersistValue{IssuerDomainName: "ca.example", AccountURI: "https://a/1"}},
		{name: "persistUntil in Unix seconds", in: "ca.example; accounturi=https://a/1; persistUntil=1893456000",
			want: validate.PersistValue{IssuerDomainName: "ca.example", AccountURI: "https://a/1", PersistUntil: &until}},
		{name: "unknown tags are ignored", in: "ca.example; accounturi=https://a/1; future=1",
			want: validate.PersistValue{IssuerDomainName: "ca.example", AccountURI: "https://a/1"}},
		{name: "no issuer", in: "; accounturi=https://a/1", fault: "no issuer domain name"},
		{name: "empty", in: "", fault: "no issuer domain name"},
		{name: "no accounturi", in: "ca.example", fault: "no accounturi"},
		{name: "empty accounturi", in: "ca.example; accounturi=", fault: "accounturi is empty"},
		{name: "repeated tag", in: "ca.example; accounturi=https://a/1; ACCOUNTURI=https://a/2", fault: "appears twice"},
		{name: "trailing semicolon", in: "ca.example; accounturi=https://a/1;", fault: "an empty parameter"},
		{name: "parameter without =", in: "ca.example; accounturi", fault: "is not tag=value"},
		{name: "parameter without tag", in: "ca.example; =x; accounturi=https://a/1", fault: "has no tag"},
		{name: "space inside a value", in: "ca.example; accounturi=https://a/ 1", fault: "has a space"},
		{name: "persistUntil not a number", in: "ca.example; accounturi=https://a/1; persistUntil=soon", fault: "not a time in Unix seconds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := validate.ParsePersistValue(tc.in)
			if tc.fault != "" {
				require.ErrorIs(t, err, validate.ErrInvalidPersistTXT)
				require.ErrorContains(t, err, tc.fault)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			again, err := validate.ParsePersistValue(got.String())
			require.NoError(t, err, "String is parsable")
			require.Equal(t, got, again)
		})
	}
}

func FuzzParsePersistValue(f *testing.F) {
	for _, s := range []string{"ca.example; accounturi=https://a/1", "ca.example;accounturi=x;policy=wildcard;persistUntil=5",
		"; ;", "ca.example; accounturi=x; accounturi=y", "a;b=\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := validate.ParsePersistValue(s)
		if err != nil {
			require.ErrorIs(t, err, validate.ErrInvalidPersistTXT)
			return
		}
		require.NotEmpty(t, v.IssuerDomainName)
		require.NotEmpty(t, v.AccountURI)
		again, err := validate.ParsePersistValue(v.String())
		if err == nil { // an issuer with ';' or '=' in it does not come back
			require.Equal(t, v.AccountURI, again.AccountURI)
			require.Equal(t, v.Wildcard, again.Wildcard)
		}
	})
}

func TestRequirementsPersist(t *testing.T) {
	cfg := validate.RequirementsConfig{PersistIssuerDomain: "CA.Example.", PersistAccountURI: persistAcct}
	tests := []struct {
		name string
		host string
		cfg  validate.RequirementsConfig
		want validate.PersistRequirement
	}{
		{"a name", "www.example.com", cfg, validate.PersistRequirement{
			Name: "_validation-persist.www.example.com", Value: "ca.example; accounturi=" + persistAcct}},
		{"a wildcard: its base, with policy=wildcard", "*.example.com", cfg, validate.PersistRequirement{
			Name: "_validation-persist.example.com", Value: "ca.example; accounturi=" + persistAcct + "; policy=wildcard"}},
		{"no account: nothing asked", "www.example.com", validate.RequirementsConfig{PersistIssuerDomain: persistCA}, validate.PersistRequirement{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, validate.Requirements(tc.host, tc.cfg).Persist)
		})
	}
}

// persistPlatform asks for dns-persist-01 records of persistCA and persistAcct.
func persistPlatform(cfg *validate.RequirementsConfig) {
	cfg.PersistIssuerDomain, cfg.PersistAccountURI = persistCA, persistAcct
}

// persistOnly asks for the dns-persist-01 record alone.
func persistOnly(cfg *validate.RequirementsConfig) {
	*cfg = validate.RequirementsConfig{}
	persistPlatform(cfg)
}

func TestCheckPersist(t *testing.T) {
	rest := dnsJoin(dnsGoodA, dnsGoodACME, dnsGoodOwner, dnsGoodCAA)
	good := `"ca.example; accounturi=` + persistAcct + `"`
	want := "ca.example; accounturi=" + persistAcct
	wantRef := validate.DNSRecordRef{Type: "TXT", Name: "_validation-persist.www.example.com", Value: want}
	withPersist := func(values ...string) validate.DNSRecords {
		r := dnsWithAll(dnsWWWAddrs)
		r.PersistTXT = values
		return r
	}
	all := dnsAllFlags()
	all.persist = true
	runDNSScenarios(t, []dnsScenario{{
		name:    "the record is in place",
		records: dnsJoin(rest, []string{"_validation-persist.www.example.com. TXT " + good}),
		cfg:     persistPlatform, flags: all, want: withPersist(want),
	}, {
		name:    "the record reached through a CNAME",
		records: dnsJoin(rest, []string{"_validation-persist.www.example.com. CNAME persist.platform.net.", "persist.platform.net. TXT " + good}),
		cfg:     persistPlatform, flags: all, want: withPersist(want),
	}, {
		name:    "no record: the error names the record to add",
		records: rest, cfg: persistPlatform, flags: dnsAllFlags(), want: withPersist([]string{}...),
		errs: []dnsVerr{{"missing_persist_txt", `add a TXT record _validation-persist.www.example.com with value "` + want +
			`"; it lets ca.example validate the name for this platform's ACME account, now and at every renewal`, wantRef}},
		is: validate.ErrNXDomain,
	}, {
		name: "another CA's record is not ours",
		records: dnsJoin(rest, []string{`_validation-persist.www.example.com. TXT "other.example; accounturi=https://other.example/1"`,
			`_validation-persist.www.example.com. TXT "ca.example; accounturi=https://ca.example/acme/acct/2"`}),
		cfg: persistPlatform, flags: dnsAllFlags(),
		want: withPersist("ca.example; accounturi=https://ca.example/acme/acct/2", "other.example; accounturi=https://other.example/1"),
		errs: []dnsVerr{{"wrong_persist_txt", `change the TXT record _validation-persist.www.example.com to the value "` + want +
			`"; the record "ca.example; accounturi=https://ca.example/acme/acct/2" names another ACME account`, wantRef}},
	}, {
		name:    "policy=wildcard covers the name too",
		records: dnsJoin(rest, []string{`_validation-persist.www.example.com. TXT "ca.example; accounturi=` + persistAcct + `; policy=wildcard"`}),
		cfg:     persistPlatform, flags: all, want: withPersist(want + "; policy=wildcard"),
	}, {
		name:    "a malformed record of ours",
		records: dnsJoin(rest, []string{`_validation-persist.www.example.com. TXT "ca.example; accounturi"`}),
		cfg:     persistPlatform, flags: dnsAllFlags(), want: withPersist("ca.example; accounturi"),
		errs: []dnsVerr{{"wrong_persist_txt", `change the TXT record _validation-persist.www.example.com to the value "` + want +
			`"; the record "ca.example; accounturi" is malformed (malformed dns-persist-01 record: "ca.example; accounturi": the parameter "accounturi" is not tag=value)`, wantRef}},
	}, {
		name:    "an expired record",
		records: dnsJoin(rest, []string{`_validation-persist.www.example.com. TXT "ca.example; accounturi=` + persistAcct + `; persistUntil=1000"`}),
		cfg:     persistPlatform, flags: dnsAllFlags(),
		want: withPersist(want + "; persistUntil=1000"),
		errs: []dnsVerr{{"wrong_persist_txt", `change the TXT record _validation-persist.www.example.com to the value "` + want +
			`"; the record "` + want + `; persistUntil=1000" expired at 1970-01-01T00:16:40Z`, wantRef}},
	}, {
		name:    "a wildcard needs policy=wildcard",
		host:    "*.example.com",
		records: dnsJoin(dnsGoodCAA, []string{"_validation-persist.example.com. TXT " + good}),
		cfg:     persistOnly, flags: dnsFlags{caa: true},
		want: validate.DNSRecords{CAA: dnsLECAA, PersistTXT: []string{want}},
		errs: []dnsVerr{{"wrong_persist_txt", `change the TXT record _validation-persist.example.com to the value "` + want +
			`; policy=wildcard"; the record "` + want + `" lacks policy=wildcard, which wildcard certificates need`,
			validate.DNSRecordRef{Type: "TXT", Name: "_validation-persist.example.com", Value: want + "; policy=wildcard"}}},
	}, {
		name:    "a wildcard with policy=wildcard",
		host:    "*.example.com",
		records: dnsJoin(dnsGoodCAA, []string{`_validation-persist.example.com. TXT "ca.example; accounturi=` + persistAcct + `; policy=wildcard"`}),
		cfg:     persistOnly, flags: dnsFlags{caa: true, persist: true},
		want: validate.DNSRecords{CAA: dnsLECAA, PersistTXT: []string{want + "; policy=wildcard"}},
	}})
}

// A name that reaches the platform through its CNAME target, whose
// addresses are not the platform's (a proxy or CDN in front): HTTP-01
// gets through, TLS-ALPN-01 does not.
func TestCheckThroughProxy(t *testing.T) {
	runDNSScenarios(t, []dnsScenario{{
		name:    "CNAME to the target, which is a proxy",
		records: dnsJoin([]string{"www.example.com. CNAME elsewhere.example.org."}, dnsGoodACME, dnsGoodOwner, dnsGoodCAA),
		cfg:     func(c *validate.RequirementsConfig) { c.CNAME = "elsewhere.example.org" },
		flags:   dnsFlags{dns: true, http: true, acme: true, owner: true, caa: true},
		want: dnsWithAll(validate.DNSRecords{CNAME: []string{"elsewhere.example.org"}, A: []string{"198.51.100.9"},
			ResolvedAddresses: []string{"198.51.100.9"}}),
	}})
}
