package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func mustCIDRs(t *testing.T, list string) []netip.Prefix {
	t.Helper()
	nets, err := ParseCIDRs(list)
	if err != nil {
		t.Fatal(err)
	}
	return nets
}

func TestClientAddr(t *testing.T) {
	const proxies = "10.0.0.0/8, 2001:db8:1::/48"
	cases := []struct {
		name    string
		remote  string
		xff     []string // X-Forwarded-For header lines
		trusted string
		want    string // "" when an error is expected
	}{
		{"peer without proxies", "203.0.113.9:5000", nil, "", "203.0.113.9"},
		{"forwarded-for ignored without trusted proxies", "203.0.113.9:5000", []string{"18.140.80.2"}, "", "203.0.113.9"},
		{"forwarded-for ignored from an untrusted peer", "203.0.113.9:5000", []string{"18.140.80.2"}, proxies, "203.0.113.9"},
		{"trusted proxy, one hop", "10.1.2.3:5000", []string{"18.140.80.2"}, proxies, "18.140.80.2"},
		{"trusted proxy, no header", "10.1.2.3:5000", nil, proxies, "10.1.2.3"},
		{"client-written entries on the left are not believed", "10.1.2.3:5000", []string{"18.140.80.2, 198.51.100.7"}, proxies, "198.51.100.7"},
		{"two trusted proxies", "10.1.2.3:5000", []string{"198.51.100.7, 18.140.80.2, 10.9.9.9"}, proxies, "18.140.80.2"},
		{"several header lines read as one list", "10.1.2.3:5000", []string{"198.51.100.7", "18.140.80.2", "10.9.9.9"}, proxies, "18.140.80.2"},
		{"every hop trusted: the left-most", "10.1.2.3:5000", []string{"10.7.7.7, 10.8.8.8"}, proxies, "10.7.7.7"},
		{"entries with ports", "10.1.2.3:5000", []string{"198.51.100.7:443, 18.140.80.2:1234"}, proxies, "18.140.80.2"},
		{"bracketed IPv6 entry", "10.1.2.3:5000", []string{"[2001:db8:2::7]:443"}, proxies, "2001:db8:2::7"},
		{"IPv6 peer and proxy", "[2001:db8:1::1]:5000", []string{"2001:db8:2::7"}, proxies, "2001:db8:2::7"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:5000", []string{"::ffff:18.140.80.2"}, proxies, "18.140.80.2"},
		{"blank entries skipped", "10.1.2.3:5000", []string{"18.140.80.2, ,"}, proxies, "18.140.80.2"},
		{"garbage from the nearest hop", "10.1.2.3:5000", []string{"18.140.80.2, unknown"}, proxies, ""},
		{"garbage left of the client is never read", "10.1.2.3:5000", []string{"unknown, 18.140.80.2"}, proxies, "18.140.80.2"},
		{"peer not an address", "@", nil, proxies, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/webhooks/voice", nil)
			req.RemoteAddr = tc.remote
			for _, line := range tc.xff {
				req.Header.Add("X-Forwarded-For", line)
			}
			got, err := clientAddr(req, mustCIDRs(t, tc.trusted))
			if tc.want == "" {
				if err == nil {
					t.Fatalf("got %v, want an error", got)
				}
				return
			}
			if err != nil || got.String() != tc.want {
				t.Fatalf("got %v, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestParseCIDRs(t *testing.T) {
	cases := []struct {
		in      string
		want    string // the networks joined by spaces
		errPart string
	}{
		{"", "", ""},
		{" , ", "", ""},
		{EightByEightWebhookSources, "18.140.80.2/32 52.220.253.234/32 54.255.116.8/32 52.74.232.241/32", ""},
		{"10.0.0.0/8, 192.0.2.7", "10.0.0.0/8 192.0.2.7/32", ""},
		{"10.1.2.3/8", "10.0.0.0/8", ""},
		{"2001:db8::1, 2001:db8::/32", "2001:db8::1/128 2001:db8::/32", ""},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8", ""},
		{"::ffff:192.0.2.7", "192.0.2.7/32", ""},
		{"10.0.0.0/33", "", `"10.0.0.0/33" is not a CIDR`},
		{"10.0.0.0/8,example.com", "", `"example.com" is neither an IP address nor a CIDR`},
		{"10.0.0/8", "", `"10.0.0/8" is not a CIDR`},
		{"::ffff:0:0/90", "", "at least 96"},
	}
	for _, tc := range cases {
		nets, err := ParseCIDRs(tc.in)
		if tc.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errPart) {
				t.Errorf("ParseCIDRs(%q) = %v, %v; want an error containing %q", tc.in, nets, err, tc.errPart)
			}
			continue
		}
		var got []string
		for _, n := range nets {
			got = append(got, n.String())
		}
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("ParseCIDRs(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

// TestClientAddrAllocations: clientAddr runs on every webhook when --allow-ips is set, and
// must not allocate, even when it reads X-Forwarded-For.
func TestClientAddrAllocations(t *testing.T) {
	req := httptest.NewRequest("POST", "/webhooks/voice", nil)
	req.RemoteAddr = "10.1.2.3:5000"
	req.Header.Set("X-Forwarded-For", "198.51.100.7, 18.140.80.2")
	trusted := mustCIDRs(t, "10.0.0.0/8")
	if n := testing.AllocsPerRun(100, func() { _, _ = clientAddr(req, trusted) }); n > 0 {
		t.Errorf("clientAddr allocates %.0f times per call", n)
	}
}
