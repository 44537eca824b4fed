package rfc2136_test

import (
	"fmt"

	"github.com/certs-dev/certs/dnsprovider/rfc2136"
)

func ExampleNew() {
	p, err := rfc2136.New(rfc2136.Config{
		Nameserver:  "ns1.example.com:53",
		TSIGKeyName: "acme-update",
		TSIGSecret:  "c2VjcmV0LWZyb20tdHNpZy1rZXlnZW4=", // from tsig-keygen
	})
	fmt.Println(p, err)
	// Output: rfc2136.Provider{rfc2136.Config{Nameserver: "ns1.example.com:53", TSIGKeyName: "acme-update.", TSIGSecret: <redacted>, TSIGAlgorithm: "hmac-sha256.", TTL: "60", Zone: "", Timeout: "10s"}} <nil>
}
