package store_test

import (
	"testing"

	"github.com/callscript/callscript/engine/store"
	"github.com/callscript/callscript/engine/store/storetest"
)

func TestMemorySuite(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return store.NewMemory(0) })
}
