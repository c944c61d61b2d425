package dbtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tend-run/tend/internal/testkit/testmain"
)

func TestMain(m *testing.M) {
	testmain.NoExitSleep()
	code := m.Run()
	StopAll()
	os.Exit(code)
}

// The server answers on its URL, stops (its port refuses), and starts
// again on the same port with its data.
func TestPostgresStartsStopsAndStartsAgain(t *testing.T) {
	s := Postgres(t)
	ping := func() error {
		c, err := pgx.Connect(context.Background(), s.URL)
		if err != nil {
			return err
		}
		return c.Close(context.Background())
	}
	if err := ping(); err != nil {
		t.Fatalf("%s does not answer: %v", s.Kind, err)
	}
	if s.Pid() == 0 {
		t.Error("a running server has no pid")
	}
	s.Stop()
	if err := ping(); err == nil || s.Pid() != 0 {
		t.Errorf("a stopped server answers (pid %d)", s.Pid())
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := ping(); err != nil {
		t.Errorf("the restarted server does not answer: %v", err)
	}
}
