package dblock

// The servers come from internal/dbtest, stopped by TestMain.

import (
	"database/sql"
	"os"
	"testing"

	"github.com/tend-run/tend/internal/dbtest"
	"github.com/tend-run/tend/internal/testkit/testmain"
)

// testPassword has characters that need escaping in a URL, so the masking
// of its escaped forms is tested too.
const testPassword = dbtest.Password

type server = dbtest.Server

func postgresServer(t testing.TB) *server { return dbtest.Postgres(t) }
func mariadbServer(t testing.TB) *server  { return dbtest.MariaDB(t) }
func mariadbRoot(s *server) *sql.DB       { return dbtest.MariaDBRoot(s) }

const helperEnv = "TEND_DBLOCK_HELPER"

func TestMain(m *testing.M) {
	testmain.NoExitSleep()
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helperMain(mode))
	}
	code := m.Run()
	dbtest.StopAll()
	os.Exit(code)
}
