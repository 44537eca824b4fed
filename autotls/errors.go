package autotls

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// ErrNoNames is returned when no hostname is given and on-demand TLS is
// off: there would be nothing to get a certificate for.
var ErrNoNames = errors.New("autotls: no hostnames given; give at least one hostname, or turn on Config.OnDemand")

// ErrPermission is matched by a *ListenError when the process may not
// listen on the address: on Linux, ports below 1024 (:443, :80) need root
// or the CAP_NET_BIND_SERVICE capability.
var ErrPermission = errors.New("autotls: no permission to listen on the address")

// ErrAddrInUse is matched by a *ListenError when another program (or
// another server in this one) already listens on the address.
var ErrAddrInUse = errors.New("autotls: the address is already in use")

// ListenError reports an address that could not be listened on. It
// matches ErrPermission or ErrAddrInUse when that is the cause, and
// unwraps to the error of net.Listen (so errors.Is(err, syscall.EACCES)
// holds as well).
type ListenError struct {
	// Addr is the address, such as ":443".
	Addr string
	// Field is the Config field that chooses it: "HTTPSAddr" or "HTTPAddr".
	Field string
	// Err is the error of net.Listen.
	Err error
}

// Error says what went wrong and what to do about it.
func (e *ListenError) Error() string {
	switch {
	case errors.Is(e, ErrPermission):
		return fmt.Sprintf("autotls: no permission to listen on %s (ports below 1024 need privileges): "+
			"run as root, or grant the binary the capability with "+
			"`sudo setcap 'cap_net_bind_service=+ep' /path/to/your/binary`, "+
			"or set Config.%s to another address (such as %q) behind a port redirect: %v",
			e.Addr, e.Field, unprivileged(e.Field), e.Err)
	case errors.Is(e, ErrAddrInUse):
		return fmt.Sprintf("autotls: %s is already in use by another program: "+
			"stop that program (`sudo ss -ltnp 'sport = :%s'` shows which one), "+
			"or set Config.%s to another address: %v",
			e.Addr, portOf(e.Addr), e.Field, e.Err)
	}
	return fmt.Sprintf("autotls: listen on %s (Config.%s): %v", e.Addr, e.Field, e.Err)
}

// Unwrap returns the error of net.Listen.
func (e *ListenError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrPermission) and errors.Is(err, ErrAddrInUse)
// true when that is the cause.
func (e *ListenError) Is(target error) bool {
	switch target {
	case ErrPermission:
		return errors.Is(e.Err, os.ErrPermission) // EACCES, EPERM
	case ErrAddrInUse:
		return errors.Is(e.Err, syscall.EADDRINUSE)
	}
	return false
}

// unprivileged suggests an address that needs no privileges for a field.
func unprivileged(field string) string {
	if field == "HTTPAddr" {
		return ":8080"
	}
	return ":8443"
}

// portOf returns the port of a host:port address, or the address itself.
func portOf(addr string) string {
	if _, port, err := net.SplitHostPort(addr); err == nil {
		return port
	}
	return addr
}
