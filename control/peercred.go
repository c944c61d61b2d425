package control

import (
	"fmt"
	"net"
)

// sockopt runs get on the file descriptor of the Unix socket conn.
func sockopt(conn net.Conn, get func(fd int) (int, error)) (int, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return 0, fmt.Errorf("not a Unix socket: %T", conn)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var v int
	var getErr error
	if err := raw.Control(func(fd uintptr) { v, getErr = get(int(fd)) }); err != nil {
		return 0, err
	}
	if getErr != nil {
		return 0, fmt.Errorf("peer credentials: %w", getErr)
	}
	return v, nil
}
