package dnstest

import (
	"net"

	"github.com/miekg/dns"
)

// serveDNS answers one message: UPDATE goes to serveUpdate, queries to
// the zones, after any fault injected for the query name.
func (s *Server) serveDNS(w dns.ResponseWriter, r *dns.Msg) {
	tcp := isTCP(w)
	if tcp {
		s.tcp.Add(1)
	} else {
		s.udp.Add(1)
	}
	if r.Opcode == dns.OpcodeUpdate {
		s.upd.Add(1)
		s.serveUpdate(w, r)
		return
	}
	q := r.Question[0]
	reply := new(dns.Msg)
	reply.SetReply(r)
	fault := s.faults.get(q.Name)
	switch fault {
	case Timeout:
		return
	case ServFail:
		reply.Rcode = dns.RcodeServerFailure
		_ = w.WriteMsg(reply)
		return
	}
	s.zones.answer(q, reply, s.servFailLoops)
	size := dns.MinMsgSize
	if opt := r.IsEdns0(); opt != nil {
		reply.SetEdns0(opt.UDPSize(), false)
		size = max(int(opt.UDPSize()), dns.MinMsgSize)
	}
	if !tcp {
		if fault == Truncate {
			truncate(reply)
		} else {
			reply.Truncate(size)
		}
	}
	_ = w.WriteMsg(reply)
}

// truncate keeps only the first answer record and sets TC.
func truncate(m *dns.Msg) {
	m.Truncated = true
	if len(m.Answer) > 1 {
		m.Answer = m.Answer[:1]
	}
	m.Ns = nil
	var extra []dns.RR
	for _, rr := range m.Extra {
		if rr.Header().Rrtype == dns.TypeOPT {
			extra = append(extra, rr)
		}
	}
	m.Extra = extra
}

func isTCP(w dns.ResponseWriter) bool {
	_, ok := w.RemoteAddr().(*net.TCPAddr)
	return ok
}
