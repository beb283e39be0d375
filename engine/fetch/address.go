package fetch

import (
	"fmt"
	"net/netip"
	"syscall"
)

// blockedAddressError is returned by the dial check for an address fetch may not connect to.
type blockedAddressError struct {
	addr netip.Addr
	kind string // "private", "loopback", ... as in "a private address"
}

func (e *blockedAddressError) Error() string {
	return fmt.Sprintf("%s is %s address, which fetch may not reach", e.addr, article(e.kind))
}

func (e *blockedAddressError) Unwrap() error { return ErrNotAllowed }

func article(kind string) string {
	switch kind[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an " + kind
	}
	return "a " + kind
}

// checkDial is the net.Dialer Control hook: it runs on the very address a connection is about
// to be made to, after name resolution, so neither a host name that resolves to an internal
// address nor a DNS answer that changes between check and use (rebinding) gets through.
func (c *Client) checkDial(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("fetch: unexpected dial address %q: %w", address, err)
	}
	if kind := blockedKind(ap.Addr(), c.opts.AllowLoopback); kind != "" {
		return &blockedAddressError{addr: ap.Addr().Unmap(), kind: kind}
	}
	return nil
}

// blockedKind says why fetch may not connect to ip ("private", "loopback", ...), or "" when it
// may: only global unicast addresses are reachable, and loopback ones when allowLoopback is set.
// IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the
// IPv4 address they lead to.
func blockedKind(ip netip.Addr, allowLoopback bool) string {
	ip = ip.WithZone("")
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if ip.Is6() {
		if v4, ok := embeddedIPv4(ip); ok {
			if kind := blockedKind(v4, allowLoopback); kind != "" {
				return kind
			}
			if b := ip.As16(); [12]byte(b[:12]) == [12]byte{} {
				return "IPv4-compatible (deprecated)" // ::a.b.c.d is never routed on the Internet
			}
		}
	}
	switch {
	case !ip.IsValid():
		return "invalid"
	case ip.IsUnspecified():
		return "unspecified" // 0.0.0.0 and :: reach the local host
	case ip.IsLoopback():
		if allowLoopback {
			return ""
		}
		return "loopback"
	case ip.IsLinkLocalUnicast():
		return "link-local" // includes 169.254.169.254, the cloud metadata service
	case ip.IsMulticast():
		return "multicast"
	case ip.IsPrivate():
		return "private"
	}
	if ip.Is4() {
		a := ip.As4()
		switch {
		case a[0] == 0:
			return "\"this network\"" // 0.0.0.0/8
		case a[0] == 100 && a[1]&0xc0 == 64:
			return "shared (carrier-grade NAT)" // 100.64.0.0/10, also Alibaba's metadata 100.100.100.200
		case a[0] == 192 && a[1] == 0 && a[2] == 0:
			return "reserved" // 192.0.0.0/24, IETF protocol assignments
		case a[0] == 198 && a[1]&0xfe == 18:
			return "benchmarking" // 198.18.0.0/15, often used inside networks
		case a[0] >= 240:
			return "reserved" // 240.0.0.0/4 and the broadcast address
		}
		return ""
	}
	b := ip.As16()
	switch {
	case isNAT64(b):
		return "" // judged above by the IPv4 address it leads to
	case b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1:
		return "local NAT64" // 64:ff9b:1::/48
	case b[0] == 0:
		return "reserved" // ::/8 holds nothing routable beyond the forms handled above
	case b[0] == 0xfe && b[1]&0xc0 == 0xc0:
		return "site-local" // fec0::/10, deprecated but still routed inside some networks
	case b[0] == 0x01 && b[1] == 0x00 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0:
		return "discard-only" // 100::/64
	}
	return ""
}

// embeddedIPv4 returns the IPv4 address an IPv6 address leads to: IPv4-compatible ::a.b.c.d
// (but not :: and ::1), NAT64 64:ff9b::a.b.c.d, and 6to4 2002:aabb:ccdd::.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	zero := func(from, to int) bool {
		for _, x := range b[from:to] {
			if x != 0 {
				return false
			}
		}
		return true
	}
	switch {
	case zero(0, 12) && !(zero(12, 15) && b[15] <= 1): // not :: or ::1
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case isNAT64(b):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case b[0] == 0x20 && b[1] == 0x02:
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// isNAT64 reports whether b is in 64:ff9b::/96, the well-known NAT64 prefix.
func isNAT64(b [16]byte) bool {
	return [12]byte(b[:12]) == [12]byte{0x00, 0x64, 0xff, 0x9b}
}
