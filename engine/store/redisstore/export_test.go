package redisstore

import (
	"context"
	"time"

	"github.com/callscript/callscript/engine/store"
)

// Claim runs BeginEvent's script with a chosen claim token, as a retried command would.
func Claim(s *Store, ctx context.Context, tenant, eventID, token string) ([]byte, store.Claim, error) {
	begun, err := s.claim(ctx, []string{key(tenant, "e", eventID)}, token, time.Minute)
	return begun.Answer, begun.State, err
}
