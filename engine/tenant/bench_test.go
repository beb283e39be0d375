package tenant

import "testing"

// typicalSettings is a tenant.json using every section, as a tenant with an IVR writes it.
const typicalSettings = `{
  "authorization": "Bearer ${TOKEN}",
  "timeoutMs": 2000,
  "defaults": { "voiceProfile": "en-US-Standard-C", "maxDigits": 1, "noOfTries": 3 },
  "env": {
    "COMPANY": "ACME Café",
    "UTC_OFFSET_MINUTES": 480,
    "OPENING_HOURS": { "days": ["mon", "tue", "wed", "thu", "fri"], "open": "09:00", "close": "18:00" },
    "AGENTS": { "sales": "+6560000001", "technical": "+6560000002", "billing": "+6560000003" },
    "GREETING": "Welcome to ACME.\nPress 1 for sales \u2014 or 2 for support."
  },
  "fetch": { "allow": ["api.example.com", "*.crm.example.net"], "maxBytes": 65536 },
  "fallback": {
    "callflow": [
      { "action": "say", "params": { "text": "Sorry, we cannot take your call right now. Please call again later." } },
      { "action": "hangup" }
    ]
  }
}`

func BenchmarkParseSettings(b *testing.B) {
	data := []byte(typicalSettings)
	lookup := env(map[string]string{"TOKEN": "t0k"})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSettings(data, lookup); err != nil {
			b.Fatal(err)
		}
	}
}
