package dnstest

import (
	"errors"
	"time"

	"github.com/miekg/dns"
)

// serveUpdate applies an RFC 2136 UPDATE. It requires a valid TSIG
// signature: unsigned updates are REFUSED; a bad signature, unknown key or
// clock skew gets NOTAUTH with the TSIG error, unsigned (RFC 8945 5.3.2).
// Prerequisites are not evaluated.
func (s *Server) serveUpdate(w dns.ResponseWriter, r *dns.Msg) {
	reply := new(dns.Msg)
	reply.SetReply(r)
	tsig := r.IsTsig()
	if tsig == nil {
		reply.Rcode = dns.RcodeRefused
		_ = w.WriteMsg(reply)
		return
	}
	if err := w.TsigStatus(); err != nil {
		writeTSIGError(w, reply, tsig, err)
		return
	}
	reply.Rcode = s.applyUpdate(r)
	reply.SetTsig(tsig.Hdr.Name, tsig.Algorithm, 300, time.Now().Unix())
	_ = w.WriteMsg(reply)
}

// applyUpdate checks and applies the update section and returns the rcode.
func (s *Server) applyUpdate(r *dns.Msg) int {
	zone := canonical(r.Question[0].Name)
	s.zones.mu.RLock()
	served := s.zones.zones[zone]
	inZone := true
	for _, rr := range r.Ns {
		inZone = inZone && s.zones.zoneOf(canonical(rr.Header().Name)) == zone
	}
	s.zones.mu.RUnlock()
	switch {
	case !served:
		return dns.RcodeNotAuth
	case !inZone:
		return dns.RcodeNotZone
	}
	for _, rr := range r.Ns {
		h := rr.Header()
		switch h.Class {
		case dns.ClassINET:
			_ = s.zones.add(rr)
		case dns.ClassANY:
			s.zones.removeType(h.Name, h.Rrtype)
		case dns.ClassNONE:
			s.zones.removeRR(rr)
		default:
			return dns.RcodeFormatError
		}
	}
	return dns.RcodeSuccess
}

// writeTSIGError answers NOTAUTH with an unsigned TSIG record carrying the
// TSIG error code, as BIND does.
func writeTSIGError(w dns.ResponseWriter, reply *dns.Msg, req *dns.TSIG, err error) {
	code := uint16(dns.RcodeBadSig)
	switch {
	case errors.Is(err, dns.ErrSecret), errors.Is(err, dns.ErrKeyAlg):
		code = dns.RcodeBadKey
	case errors.Is(err, dns.ErrTime):
		code = dns.RcodeBadTime
	}
	reply.Rcode = dns.RcodeNotAuth
	reply.Extra = append(reply.Extra, &dns.TSIG{
		Hdr:        dns.RR_Header{Name: req.Hdr.Name, Rrtype: dns.TypeTSIG, Class: dns.ClassANY},
		Algorithm:  req.Algorithm,
		TimeSigned: req.TimeSigned,
		Fudge:      req.Fudge,
		OrigId:     reply.Id,
		Error:      code,
	})
	data, perr := reply.Pack()
	if perr != nil {
		return
	}
	_, _ = w.Write(data)
}
