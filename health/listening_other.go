//go:build !linux

package health

import (
	"fmt"
	"net"
	"strconv"
	"time"
)

// probeListening connects to the port on this host: without Linux's socket
// tables tend cannot tell which interfaces a listener is bound to.
func probeListening(port int) error {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 2*time.Second)
	if err != nil {
		return fmt.Errorf("nothing listens on port %d", port)
	}
	return conn.Close()
}
