package app

import (
	"testing"

	"github.com/tend-run/tend/internal/testkit/testmain"
)

func TestMain(m *testing.M) { testmain.Main(m) }
