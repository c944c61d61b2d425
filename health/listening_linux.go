package health

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
)

// probeListening reads the kernel's socket tables (tend shares the
// instance's network namespace) for a listener on port. Like Dokku's
// check, it must listen on every interface (0.0.0.0 or ::): one bound to
// 127.0.0.1 only could not be reached from outside the container.
func probeListening(port int) error {
	var others []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(table)
		if err != nil {
			continue // no IPv6, say
		}
		wildcard, addrs := listeners(data, port)
		if wildcard {
			return nil
		}
		others = append(others, addrs...)
	}
	if len(others) > 0 {
		return fmt.Errorf("listens on %s, not on every interface (0.0.0.0 or ::)", others[0])
	}
	return fmt.Errorf("nothing listens on port %d", port)
}

// listeners reads a /proc/net/tcp table: whether a socket listens on port
// on every interface, and the addresses of those that listen on one.
func listeners(table []byte, port int) (wildcard bool, addrs []string) {
	sc := bufio.NewScanner(bytes.NewReader(table))
	sc.Scan() // the header
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 4 || string(f[3]) != "0A" { // TCP_LISTEN
			continue
		}
		host, portHex, ok := bytes.Cut(f[1], []byte(":"))
		if !ok {
			continue
		}
		p, err := strconv.ParseUint(string(portHex), 16, 16)
		if err != nil || int(p) != port {
			continue
		}
		ip, err := hex.DecodeString(string(host))
		if err != nil {
			continue
		}
		// The kernel prints each 32-bit word of the address in the
		// host's byte order.
		for i := 0; i+4 <= len(ip); i += 4 {
			binary.BigEndian.PutUint32(ip[i:], binary.NativeEndian.Uint32(ip[i:]))
		}
		addr := net.IP(ip)
		if addr.IsUnspecified() {
			return true, nil
		}
		addrs = append(addrs, net.JoinHostPort(addr.String(), strconv.Itoa(port)))
	}
	return false, addrs
}
