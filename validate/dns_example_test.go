package validate_test

import (
	"context"
	"fmt"
	"time"

	"github.com/certs-dev/certs/validate"
)

func ExampleRequirements() {
	req := validate.Requirements("www.example.com", validate.RequirementsConfig{
		A:                 []string{"203.0.113.10"},
		CNAME:             "my-app.platform.example",
		ACMEChallengeZone: "a1b2.platform-dns.example",
		OwnershipValues:   []string{"app-123", "org-456"},
	})
	fmt.Println(req.ACMEChallenge.Name, "->", req.ACMEChallenge.Target)
	fmt.Println(req.Ownership.Name, req.Ownership.Values)
	// Output:
	// _acme-challenge.www.example.com -> www.example.com.a1b2.platform-dns.example
	// _certs-ownership.www.example.com [app-123 org-456]
}

func ExampleCheck() {
	req := validate.Requirements("www.example.com", validate.RequirementsConfig{
		A: []string{"203.0.113.10"}, OwnershipValues: []string{"app-123"},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep, err := validate.Check(ctx, "www.example.com", req, validate.CheckOptions{
		Resolvers: []string{"192.0.2.53:53"}, // your recursive resolvers
	})
	if err != nil {
		fmt.Println("could not check:", err)
		return
	}
	fmt.Println("http-01 reaches us:", rep.HTTPConfigured, "ownership proven:", rep.OwnershipTXTConfigured)
	for _, e := range rep.ValidationErrors {
		fmt.Println(e.Message) // e.g. "add a TXT record _certs-ownership.www.example.com with value app-123"
	}
}

func ExampleParseCAA() {
	v, err := validate.ParseCAA("letsencrypt.org; validationmethods=dns-01")
	fmt.Println(v.Issuer, v.Parameters, err)
	// Output: letsencrypt.org [{validationmethods dns-01}] <nil>
}

func ExampleCAAAllows() {
	rrs := []validate.CAARecord{
		{Name: "example.com", Tag: "issue", Value: "letsencrypt.org"},
		{Name: "example.com", Tag: "issuewild", Value: ";"},
	}
	fmt.Println(validate.CAAAllows(rrs, "letsencrypt.org", false), validate.CAAAllows(rrs, "letsencrypt.org", true))
	// Output: true false
}
