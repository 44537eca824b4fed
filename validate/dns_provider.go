package validate

import "strings"

// dnsProviderSuffixes maps nameserver name suffixes to DNS provider names.
// It is a function so that the table is not package-level mutable state.
func dnsProviderSuffixes() []struct{ suffix, provider string } {
	return []struct{ suffix, provider string }{
		{".ns.cloudflare.com", "cloudflare"},
		{".awsdns-", "route53"}, // ns-1.awsdns-01.org and friends: matched as a substring
		{".googledomains.com", "google"},
		{".digitalocean.com", "digitalocean"},
		{".domaincontrol.com", "godaddy"},
		{".dnsimple.com", "dnsimple"},
		{".dnsimple-edge.net", "dnsimple"},
		{".dnsimple-edge.org", "dnsimple"},
		{".registrar-servers.com", "namecheap"},
		{".gandi.net", "gandi"},
		{".ovh.net", "ovh"},
		{".ovh.ca", "ovh"},
		{".hetzner.com", "hetzner"},
		{".hetzner.de", "hetzner"},
		{".linode.com", "linode"},
		{".vercel-dns.com", "vercel"},
		{".netlify.com", "netlify"},
		{".nsone.net", "ns1"},
		{".azure-dns.com", "azure"},
		{".azure-dns.net", "azure"},
		{".azure-dns.org", "azure"},
		{".azure-dns.info", "azure"},
		{".name-services.com", "enom"},
		{".enom.com", "enom"},
		{".porkbun.com", "porkbun"},
		{".he.net", "hurricane"},
		{".bunny.net", "bunny"},
	}
}

// GuessDNSProvider names the DNS provider that runs nameservers ("" when
// none is recognised), e.g. "cloudflare" for "ada.ns.cloudflare.com" or
// "route53" for "ns-1.awsdns-01.org". The first recognised name wins.
func GuessDNSProvider(nameservers []string) string {
	table := dnsProviderSuffixes()
	for _, ns := range nameservers {
		name := "." + dnsName(ns)
		for _, e := range table {
			if strings.HasSuffix(name, e.suffix) || e.suffix == ".awsdns-" && strings.Contains(name, e.suffix) {
				return e.provider
			}
		}
	}
	return ""
}
