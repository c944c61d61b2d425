package export

// Systemd is filled in by the next commit.
func Systemd(a App) (Result, error) { return Result{}, nil }

// Supervisord is filled in by a later commit.
func Supervisord(a App) (Result, error) { return Result{}, nil }

// Kubernetes is filled in by a later commit.
func Kubernetes(a App) (Result, error) { return Result{}, nil }
