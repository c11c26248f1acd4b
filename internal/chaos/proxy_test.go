package chaos

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoServer answers every line with the same line until closed.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	t.Cleanup(func() { _ = ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer conn.Close(); _, _ = io.Copy(conn, conn) }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(conn net.Conn, r *bufio.Reader, timeout time.Duration) (string, error) {
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write([]byte("ping\n")); err != nil {
		return "", err
	}
	return r.ReadString('\n')
}

func TestProxyDelayBlackholeCut(t *testing.T) {
	p, err := NewProxy(echoServer(t))
	require.NoError(t, err)
	defer func() { require.NoError(t, p.Close()) }()

	conn, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer conn.Close()
	r := bufio.NewReader(conn)
	got, err := roundTrip(conn, r, time.Second)
	require.NoError(t, err)
	assert.Equal(t, "ping\n", got)

	p.SetDelay(100 * time.Millisecond)
	began := time.Now()
	_, err = roundTrip(conn, r, time.Second)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(began), 200*time.Millisecond, "delayed each way")
	p.SetDelay(0)

	// A blackhole holds the traffic; healing delivers it.
	p.Blackhole()
	_, err = roundTrip(conn, r, 300*time.Millisecond)
	require.Error(t, err, "nothing crosses a blackhole")
	p.Heal()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	got, err = r.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "ping\n", got, "the held bytes arrive after the heal")

	// A cut resets open connections and refuses new ones until healed.
	p.Cut()
	_, err = roundTrip(conn, r, time.Second)
	require.Error(t, err)
	c2, err := net.Dial("tcp", p.Addr())
	if err == nil {
		_, err = roundTrip(c2, bufio.NewReader(c2), time.Second)
		c2.Close()
	}
	require.Error(t, err, "a new connection during a cut fails")
	p.Heal()
	c3, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer c3.Close()
	got, err = roundTrip(c3, bufio.NewReader(c3), time.Second)
	require.NoError(t, err)
	assert.Equal(t, "ping\n", got)
	resets, refused := p.Stats()
	assert.Equal(t, 1, resets)
	assert.Equal(t, 1, refused)
}

func TestSinkCountsAndHolds(t *testing.T) {
	s, err := NewSink()
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	get := func(key string) {
		res, err := http.Get(s.URL() + "/hit/" + key)
		require.NoError(t, err)
		_ = res.Body.Close()
	}
	get(SafePrefix + "a")
	get(SafePrefix + "a")
	get("once-b")
	get("once-b")
	get("once-c")

	arrived := s.Hold("once-d")
	done := make(chan struct{})
	go func() { defer close(done); get("once-d") }()
	<-arrived
	select {
	case <-done:
		t.Fatal("a held request answered before Release")
	case <-time.After(100 * time.Millisecond):
	}
	s.Release("once-d")
	<-done

	tally := s.Tally()
	assert.Equal(t, 6, tally.Runs)
	assert.Equal(t, 4, tally.Keys)
	assert.Equal(t, 1, tally.DupSafe)
	assert.Equal(t, 1, tally.DupUnsafe)
	assert.Equal(t, []string{"once-b"}, tally.DupUnsafeKeys)
}
