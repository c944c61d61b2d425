package proc

import "testing"

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]string{"TERM": "SIGTERM", "sigquit": "SIGQUIT", "9": "SIGKILL", "usr1": "SIGUSR1"} {
		sig, err := ParseSignal(in)
		if err != nil || SignalName(sig) != want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %s", in, sig, err, want)
		}
	}
	for _, bad := range []string{"NOPE", "0", "99", ""} {
		if _, err := ParseSignal(bad); err == nil {
			t.Errorf("ParseSignal(%q) accepted", bad)
		}
	}
}
