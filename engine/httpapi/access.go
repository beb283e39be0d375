package httpapi

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// EightByEightWebhookSources lists the addresses 8x8 publishes as the sources of its Voice
// webhooks, in the form ParseCIDRs and the --allow-ips flag take.
const EightByEightWebhookSources = "18.140.80.2/32,52.220.253.234/32,54.255.116.8/32,52.74.232.241/32"

// ParseCIDRs parses a comma-separated list of networks ("10.0.0.0/8, 192.0.2.7, 2001:db8::/32").
// A bare address stands for itself alone. Blank items are ignored; an empty list is nil.
func ParseCIDRs(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			addr, err := netip.ParseAddr(item)
			if err != nil {
				return nil, fmt.Errorf("%q is neither an IP address nor a CIDR such as 10.0.0.0/8", item)
			}
			addr = addr.Unmap().WithZone("")
			out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or 2001:db8::/32: %v", item, err)
		}
		if p.Addr().Is4In6() {
			// ::ffff:10.0.0.0/104 means 10.0.0.0/8: addresses are compared unmapped.
			if p.Bits() < 96 {
				return nil, fmt.Errorf("%q: an IPv4-mapped network needs a prefix length of at least 96", item)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// inNetworks reports whether addr lies in one of nets.
func inNetworks(nets []netip.Prefix, addr netip.Addr) bool {
	for _, p := range nets {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// clientAddr finds the address of the client that sent req: the TCP peer, unless the peer is a
// trusted proxy, in which case X-Forwarded-For is read from the right (the entries appended by
// the proxies nearest to us) and the first address that is not a trusted proxy is the client.
// Entries to the left of it were written by the client or by proxies nobody vouches for, so
// they are never believed. When every entry is a trusted proxy, the left-most one is the client.
func clientAddr(req *http.Request, trusted []netip.Prefix) (netip.Addr, error) {
	addr, err := parseHop(req.RemoteAddr)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("the connection's peer address %q is not an IP address", req.RemoteAddr)
	}
	if len(trusted) == 0 || !inNetworks(trusted, addr) {
		return addr, nil
	}
	lines := req.Header.Values("X-Forwarded-For")
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for rest != "" {
			var entry string
			if comma := strings.LastIndexByte(rest, ','); comma >= 0 {
				entry, rest = rest[comma+1:], rest[:comma]
			} else {
				entry, rest = rest, ""
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			hop, err := parseHop(entry)
			if err != nil {
				return netip.Addr{}, fmt.Errorf("X-Forwarded-For entry %q (forwarded by the trusted proxy %s) is not an IP address", entry, addr)
			}
			addr = hop
			if !inNetworks(trusted, hop) {
				return hop, nil
			}
		}
	}
	return addr, nil
}

// parseHop parses an address as a peer or a proxy reports it: "192.0.2.1", "192.0.2.1:443",
// "2001:db8::1", "[2001:db8::1]" or "[2001:db8::1]:443". IPv4-mapped IPv6 addresses are
// unmapped and zones dropped, so that they compare with the configured networks.
func parseHop(s string) (netip.Addr, error) {
	var addr netip.Addr
	var err error
	// Told apart up front rather than by trial, so that the common forms allocate no error.
	withPort := strings.HasPrefix(s, "[") && !strings.HasSuffix(s, "]") ||
		!strings.HasPrefix(s, "[") && strings.Count(s, ":") == 1
	if withPort {
		var ap netip.AddrPort
		ap, err = netip.ParseAddrPort(s)
		addr = ap.Addr()
	} else {
		addr, err = netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	}
	if err != nil {
		return netip.Addr{}, err
	}
	return addr.Unmap().WithZone(""), nil
}

// allowed checks a webhook request against Options.AllowIPs, answering 403 when it fails.
func (a *api) allowed(w http.ResponseWriter, req *http.Request) bool {
	if len(a.allowIPs) == 0 {
		return true
	}
	addr, err := clientAddr(req, a.trustedProxies)
	if err != nil {
		a.logger.Warn("refused a webhook: its client address is unknown", "remote", req.RemoteAddr, "err", err)
		writeError(w, http.StatusForbidden, "forbidden", "the webhook routes only answer allowed addresses, and this request's address cannot be told: "+err.Error())
		return false
	}
	if !inNetworks(a.allowIPs, addr) {
		a.logger.Warn("refused a webhook from an address outside --allow-ips", "client", addr.String(), "remote", req.RemoteAddr)
		writeError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("the webhook routes do not answer %s: it is not in the allowed networks (--allow-ips)", addr))
		return false
	}
	return true
}
