package dnsprovider_test

import (
	"errors"
	"fmt"

	"github.com/go-acme/lego/v4/providers/dns/cloudflare"

	"github.com/certs-dev/certs/dnsprovider"
)

func ExampleNew() {
	// Credentials as a platform stores them, e.g. decoded from JSON.
	p, err := dnsprovider.New("cloudflare", map[string]string{"apiToken": "token-from-your-vault"})
	fmt.Println(p, err)

	_, err = dnsprovider.New("cloudflare", map[string]string{"token": "x"})
	var ce *dnsprovider.CredentialError
	fmt.Println(errors.As(err, &ce), ce.Field)
	// Output:
	// dnsprovider.FromLego(*cloudflare.DNSProvider) <nil>
	// true apiToken
}

func ExampleFromLego() {
	// Any lego provider works; configure it through its own Config.
	cfg := cloudflare.NewDefaultConfig()
	cfg.AuthToken = "token-from-your-vault"
	lp, err := cloudflare.NewDNSProviderConfig(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := dnsprovider.FromLego(lp)
	if tp, ok := p.(dnsprovider.TimeoutProvider); ok {
		timeout, _ := tp.Timeout()
		fmt.Println("propagation timeout:", timeout)
	}
}
