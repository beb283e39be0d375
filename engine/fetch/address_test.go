package fetch

import (
	"net/netip"
	"testing"
)

func TestBlockedKind(t *testing.T) {
	tests := []struct {
		ip       string
		loopback bool // AllowLoopback
		want     string
	}{
		{"8.8.8.8", false, ""},
		{"2606:4700::1111", false, ""},
		{"127.0.0.1", false, "loopback"},
		{"127.9.9.9", true, ""},
		{"::1", false, "loopback"},
		{"::1", true, ""},
		{"::ffff:127.0.0.1", true, ""},
		{"::ffff:127.0.0.1", false, "loopback"},
		{"10.0.0.1", true, "private"},
		{"172.16.0.1", false, "private"},
		{"172.31.255.255", false, "private"},
		{"172.32.0.1", false, ""},
		{"192.168.1.1", false, "private"},
		{"100.64.0.1", false, "shared (carrier-grade NAT)"},
		{"100.127.255.255", false, "shared (carrier-grade NAT)"},
		{"100.128.0.1", false, ""},
		{"169.254.169.254", true, "link-local"},
		{"fe80::1%eth0", false, "link-local"},
		{"fd00:ec2::254", false, "private"},
		{"fc00::1", false, "private"},
		{"0.0.0.0", true, "unspecified"},
		{"0.1.2.3", false, "\"this network\""},
		{"::", true, "unspecified"},
		{"224.0.0.1", false, "multicast"},
		{"ff02::1", false, "multicast"},
		{"255.255.255.255", false, "reserved"},
		{"240.0.0.1", false, "reserved"},
		{"192.0.0.170", false, "reserved"},
		{"198.18.0.1", false, "benchmarking"},
		{"::ffff:10.0.0.1", false, "private"},
		{"::ffff:169.254.169.254", false, "link-local"},
		{"::10.0.0.1", false, "private"},                                // IPv4-compatible
		{"::8.8.8.8", false, "IPv4-compatible (deprecated)"},            // never routed
		{"::2", false, "\"this network\""},                              // ::0.0.0.2
		{"64:ff9b::10.0.0.1", false, "private"},                         // NAT64 to a private address
		{"64:ff9b::8.8.8.8", false, ""},                                 // NAT64 to a public one
		{"64:ff9b:1::1", false, "local NAT64"},                          // local-use NAT64
		{"2002:a9fe:a9fe::1", false, "link-local"},                      // 6to4 of 169.254.169.254
		{"2002:0808:0808::1", false, ""},                                // 6to4 of 8.8.8.8
		{"fec0::1", false, "site-local"},                                // deprecated site-local
		{"100::1", false, "discard-only"},                               // discard prefix
		{"::ffff:0:a00:1", false, "reserved"},                           // SIIT form of 10.0.0.1
		{"2001:db8::1", false, ""},                                      // documentation, unroutable but harmless
		{"fe80::ffff:a9fe:a9fe", false, "link-local"},                   // link-local first
		{"::ffff:0.0.0.0", true, "unspecified"},                         // mapped 0.0.0.0
		{"::ffff:100.100.100.200", false, "shared (carrier-grade NAT)"}, // Alibaba metadata
		{"::ffff:192.168.0.1", false, "private"},                        // mapped private
		{"::ffff:224.0.0.1", false, "multicast"},                        // mapped multicast
		{"2001:4860:4860::8888", false, ""},                             // public IPv6
		{"ff05::1:3", true, "multicast"},                                // site-local multicast
		{"fe80::1", true, "link-local"},                                 // loopback flag does not open link-local
		{"10.0.0.1", true, "private"},                                   // nor private
		{"fd00::1", true, "private"},                                    // nor unique local
		{"169.254.0.1", true, "link-local"},                             // nor link-local IPv4
		{"100.64.0.1", true, "shared (carrier-grade NAT)"},              // nor CGNAT
		{"::ffff:169.254.169.254", true, "link-local"},                  // nor the mapped metadata address
		{"64:ff9b::127.0.0.1", true, ""},                                // NAT64 of loopback, opened by the flag
		{"64:ff9b::127.0.0.1", false, "loopback"},                       // and refused without it
		{"2002:7f00:1::", false, "loopback"},                            // 6to4 of 127.0.0.1
		{"2002:0a00:0001::", true, "private"},                           // 6to4 of 10.0.0.1
		{"::ffff:7f00:1", false, "loopback"},                            // mapped loopback, hex form
		{"::7f00:1", false, "loopback"},                                 // compatible loopback
		{"::7f00:1", true, "IPv4-compatible (deprecated)"},              // even with the flag
	}
	for _, tt := range tests {
		if got := blockedKind(netip.MustParseAddr(tt.ip), tt.loopback); got != tt.want {
			t.Errorf("blockedKind(%s, loopback=%v) = %q, want %q", tt.ip, tt.loopback, got, tt.want)
		}
	}
}

// referencePrefixes lists what fetch may never reach, written independently of blockedKind as
// the IANA special-purpose registries do. Loopback ranges are separate.
func referencePrefixes() (blocked, loopback []netip.Prefix) {
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
		"192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
		"::/8", "100::/64", "64:ff9b:1::/48", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
	} {
		blocked = append(blocked, netip.MustParsePrefix(s))
	}
	return blocked, []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// referenceBlocked decides like blockedKind, from the prefix lists.
func referenceBlocked(ip netip.Addr, allowLoopback bool) bool {
	blocked, loopback := referencePrefixes()
	ip = ip.WithZone("").Unmap()
	b := ip.As16()
	// Forms that lead to an IPv4 address are judged by it too.
	switch {
	case ip.Is6() && netip.MustParsePrefix("64:ff9b::/96").Contains(ip):
		if referenceBlocked(netip.AddrFrom4([4]byte(b[12:])), allowLoopback) {
			return true
		}
	case ip.Is6() && netip.MustParsePrefix("2002::/16").Contains(ip):
		if referenceBlocked(netip.AddrFrom4([4]byte(b[2:6])), allowLoopback) {
			return true
		}
	}
	for _, p := range loopback {
		if p.Contains(ip) {
			return !allowLoopback
		}
	}
	if netip.MustParsePrefix("64:ff9b::/96").Contains(ip) {
		return false // carved out of ::/8 for NAT64, judged above by its IPv4 address
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func FuzzBlockedKind(f *testing.F) {
	for _, s := range []string{"8.8.8.8", "::1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "2002:a00:1::", "fd00::1", "::ffff:127.0.0.1"} {
		f.Add(netip.MustParseAddr(s).AsSlice(), false)
		f.Add(netip.MustParseAddr(s).AsSlice(), true)
	}
	f.Fuzz(func(t *testing.T, raw []byte, allowLoopback bool) {
		ip, ok := netip.AddrFromSlice(raw)
		if !ok {
			return
		}
		got := blockedKind(ip, allowLoopback) != ""
		if want := referenceBlocked(ip, allowLoopback); got != want {
			t.Fatalf("blockedKind(%s, loopback=%v) blocks: %v, the IANA registries say %v (%q)", ip, allowLoopback, got, want, blockedKind(ip, allowLoopback))
		}
	})
}
