package control

import (
	"net"

	"golang.org/x/sys/unix"
)

// peerUID is the effective uid of the process at the other end of conn,
// as the kernel recorded it at connect or listen time (SO_PEERCRED).
func peerUID(conn net.Conn) (int, error) {
	return sockopt(conn, func(fd int) (int, error) {
		cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
		if err != nil {
			return 0, err
		}
		return int(cred.Uid), nil
	})
}
