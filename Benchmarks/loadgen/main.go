// loadgen drives a line-based request/answer server over TLS 1.3 with mutual TLS, the same way for
// asana-accessd (one JSON-RPC `ping` per line) and for redis-server (`PING`), so the two can be
// compared with one client. Standard library only.
//
// Modes:
//
//	load (default): -conns N connections, each keeping -depth M requests in flight (pipelined: after
//	  reading the answers that are ready, it sends as many new requests in one write). Runs -warmup,
//	  then measures for -duration and prints one line of key=value pairs: requests, req_s, p50_us,
//	  p99_us, errors, loadgen_cpu_us_per_req, loadgen_cpu_pct and, with -pid, the server's CPU per
//	  request (utime+stime from /proc/PID/stat, and each on its own: user space and kernel) and its RSS. With -rss-every, also prints the
//	  server's RSS at that interval while it measures (for a sustained run).
//	idle: opens -conns connections (each answers one request, so TLS is up and the connection is
//	  served), waits -settle, and prints the server's RSS growth per connection (needs -pid).
//
// Every connection goes to -addr, which must be a loopback address.
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	addr     = flag.String("addr", "127.0.0.1:7443", "server address, or several separated by commas (connections spread round-robin); loopback only")
	method   = flag.String("method", "ping", "jsonrpc: the method each request calls")
	params   = flag.String("params", "", "jsonrpc: the params object each request sends (JSON), none when empty")
	proto    = flag.String("proto", "jsonrpc", "jsonrpc (asana-accessd ping) or redis (PING)")
	caFile   = flag.String("ca", "", "CA certificate, PEM")
	certFile = flag.String("cert", "", "client certificate, PEM")
	keyFile  = flag.String("key", "", "client key, PEM")
	mode     = flag.String("mode", "load", "load or idle")
	conns    = flag.Int("conns", 1, "connections")
	depth    = flag.Int("depth", 1, "requests in flight per connection")
	warmup   = flag.Duration("warmup", time.Second, "run this long before measuring")
	duration = flag.Duration("duration", 5*time.Second, "measure this long")
	pid      = flag.Int("pid", 0, "server pid, for its CPU time and RSS")
	rssEvery = flag.Duration("rss-every", 0, "print the server's RSS this often while measuring (0: never)")
	settle   = flag.Duration("settle", 2*time.Second, "idle mode: wait this long after connecting before reading RSS")
)

const maxDuration = 15 * time.Minute

func main() {
	flag.Parse()
	for _, one := range strings.Split(*addr, ",") {
		host, _, err := net.SplitHostPort(one)
		if err != nil || !(host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1") {
			fail("-addr must be loopback addresses, got %q", one)
		}
	}
	if *params != "" && !json.Valid([]byte(*params)) {
		fail("-params must be JSON, got %q", *params)
	}
	if *warmup+*duration > maxDuration {
		fail("-warmup + -duration must stay under %v", maxDuration)
	}
	config := tlsConfig()
	switch *mode {
	case "load":
		runLoad(config)
	case "idle":
		runIdle(config)
	default:
		fail("unknown -mode %q", *mode)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", args...)
	os.Exit(2)
}

func tlsConfig() *tls.Config {
	pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		fail("client certificate: %v", err)
	}
	caPEM, err := os.ReadFile(*caFile)
	if err != nil {
		fail("CA: %v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		fail("no certificate in %s", *caFile)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{pair},
		RootCAs:      roots,
		ServerName:   "localhost",
		MinVersion:   tls.VersionTLS13,
	}
}

// conn is one connection with its request encoder and answer reader.
type conn struct {
	tls    *tls.Conn
	reader *bufio.Reader
	out    []byte
	nextID int64
}

// dial connects to the index-th address of -addr (round-robin).
func dial(config *tls.Config, index int) (*conn, error) {
	addresses := strings.Split(*addr, ",")
	raw, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addresses[index%len(addresses)], config)
	if err != nil {
		return nil, err
	}
	if err := raw.Handshake(); err != nil {
		raw.Close()
		return nil, err
	}
	return &conn{tls: raw, reader: bufio.NewReaderSize(raw, 64<<10)}, nil
}

// queue appends one request to the pending output and returns its id.
func (c *conn) queue() int64 {
	c.nextID++
	if *proto == "redis" {
		c.out = append(c.out, "PING\r\n"...)
	} else {
		c.out = append(c.out, `{"jsonrpc":"2.0","id":`...)
		c.out = strconv.AppendInt(c.out, c.nextID, 10)
		c.out = append(c.out, `,"method":`...)
		c.out = strconv.AppendQuote(c.out, *method)
		if *params != "" {
			c.out = append(c.out, `,"params":`...)
			c.out = append(c.out, *params...)
		}
		c.out = append(c.out, "}\n"...)
	}
	return c.nextID
}

func (c *conn) flush() error {
	if len(c.out) == 0 {
		return nil
	}
	_, err := c.tls.Write(c.out)
	c.out = c.out[:0]
	return err
}

// readAnswer reads one answer line and returns the id it answers (redis: 0, answers come in order)
// and whether it is the expected success.
func (c *conn) readAnswer() (int64, bool, error) {
	line, err := c.reader.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	if *proto == "redis" {
		return 0, bytes.Equal(line, []byte("+PONG\r\n")), nil
	}
	ok := bytes.HasPrefix(line, []byte(`{"id":`))
	i := bytes.Index(line, []byte(`"id":`))
	if i < 0 {
		return -1, false, nil
	}
	rest := line[i+5:]
	end := bytes.IndexAny(rest, ",}")
	if end < 0 {
		return -1, false, nil
	}
	id, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	if err != nil {
		return -1, false, nil
	}
	return id, ok && bytes.Contains(line, []byte(`"result":`)), nil
}

// worker keeps `depth` requests in flight on one connection until stop, recording latencies after measureFrom.
type worker struct {
	latencies []int64
	count     int64
	errors    int64
}

func (w *worker) run(c *conn, measureFrom, stop time.Time) error {
	sentAt := make(map[int64]int64, *depth*2)
	var fifo []int64 // redis: send times in order
	now := time.Now().UnixNano()
	for i := 0; i < *depth; i++ {
		id := c.queue()
		sentAt[id] = now
		fifo = append(fifo, now)
	}
	if err := c.flush(); err != nil {
		return err
	}
	outstanding := *depth
	stopNanos := stop.UnixNano()
	fromNanos := measureFrom.UnixNano()
	for outstanding > 0 {
		id, ok, err := c.readAnswer()
		if err != nil {
			return err
		}
		outstanding--
		now = time.Now().UnixNano()
		var sent int64
		if *proto == "redis" {
			sent = fifo[0]
			fifo = fifo[1:]
		} else {
			sent = sentAt[id]
			delete(sentAt, id)
		}
		if sent >= fromNanos && now < stopNanos {
			w.latencies = append(w.latencies, now-sent)
			w.count++
			if !ok {
				w.errors++
			}
		}
		if now < stopNanos {
			id := c.queue()
			sentAt[id] = now
			fifo = append(fifo, now)
			outstanding++
		}
		// Answers already read and buffered are handled before the new requests go out in one write.
		if c.reader.Buffered() == 0 {
			if err := c.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func cpuSelf() time.Duration {
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

// serverCPU is the server's CPU time from /proc/PID/stat: in user space (utime) and in the kernel (stime).
func serverCPU() (user, kernel time.Duration) {
	if *pid == 0 {
		return 0, 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", *pid))
	if err != nil {
		fail("server stat: %v", err)
	}
	// Fields after the command name (which sits in parentheses and may hold spaces).
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticksPerSecond = 100 // CLK_TCK on Linux
	return time.Duration(utime) * time.Second / ticksPerSecond, time.Duration(stime) * time.Second / ticksPerSecond
}

// serverRSSKiB is the server's VmRSS.
func serverRSSKiB() int64 {
	if *pid == 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", *pid))
	if err != nil {
		fail("server status: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			value, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return value
		}
	}
	return 0
}

func dialAll(config *tls.Config, n int) []*conn {
	result := make([]*conn, n)
	var wait sync.WaitGroup
	gate := make(chan struct{}, 8) // a few handshakes at a time: a loaded 2-core machine
	for i := range result {
		wait.Add(1)
		go func(i int) {
			defer wait.Done()
			gate <- struct{}{}
			defer func() { <-gate }()
			c, err := dial(config, i)
			if err != nil {
				fail("connect: %v", err)
			}
			result[i] = c
		}(i)
	}
	wait.Wait()
	return result
}

func runLoad(config *tls.Config) {
	connections := dialAll(config, *conns)
	start := time.Now()
	measureFrom := start.Add(*warmup)
	stop := measureFrom.Add(*duration)
	workers := make([]*worker, len(connections))
	var wait sync.WaitGroup
	for i, c := range connections {
		workers[i] = &worker{}
		wait.Add(1)
		go func(w *worker, c *conn) {
			defer wait.Done()
			if err := w.run(c, measureFrom, stop); err != nil {
				fail("connection failed: %v", err)
			}
		}(workers[i], c)
	}
	time.Sleep(time.Until(measureFrom))
	cpu0, rss0 := cpuSelf(), serverRSSKiB()
	user0, kernel0 := serverCPU()
	if *rssEvery > 0 {
		go func() {
			began := time.Now()
			for at := began.Add(*rssEvery); at.Before(stop); at = at.Add(*rssEvery) {
				time.Sleep(time.Until(at))
				fmt.Printf("rss t=%ds kib=%d\n", int(time.Since(began).Seconds()+0.5), serverRSSKiB())
			}
		}()
	}
	time.Sleep(time.Until(stop))
	cpu1, rss1 := cpuSelf(), serverRSSKiB()
	user1, kernel1 := serverCPU()
	wait.Wait()
	for _, c := range connections {
		c.tls.Close()
	}

	var all []int64
	var count, errors int64
	for _, w := range workers {
		all = append(all, w.latencies...)
		count += w.count
		errors += w.errors
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	percentile := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(float64(len(all)-1)*p)]) / 1000
	}
	seconds := duration.Seconds()
	fmt.Printf("requests=%d req_s=%.0f p50_us=%.1f p99_us=%.1f errors=%d loadgen_cpu_us_per_req=%.2f loadgen_cpu_pct=%.0f",
		count, float64(count)/seconds, percentile(0.5), percentile(0.99), errors,
		float64((cpu1-cpu0).Microseconds())/float64(max64(count, 1)), 100*(cpu1-cpu0).Seconds()/seconds)
	if *pid != 0 {
		perRequest := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(max64(count, 1)) }
		server := user1 - user0 + kernel1 - kernel0
		fmt.Printf(" server_cpu_us_per_req=%.2f server_user_us_per_req=%.2f server_kernel_us_per_req=%.2f server_cpu_pct=%.0f server_rss_kib=%d..%d",
			perRequest(server), perRequest(user1-user0), perRequest(kernel1-kernel0), 100*server.Seconds()/seconds, rss0, rss1)
	}
	fmt.Println()
}

func runIdle(config *tls.Config) {
	if *pid == 0 {
		fail("-mode idle needs -pid")
	}
	before := serverRSSKiB()
	connections := dialAll(config, *conns)
	// One request each: the connection is then served, not just accepted.
	for _, c := range connections {
		c.queue()
		if err := c.flush(); err != nil {
			fail("write: %v", err)
		}
		if _, ok, err := c.readAnswer(); err != nil || !ok {
			fail("first answer: ok=%v err=%v", ok, err)
		}
	}
	time.Sleep(*settle)
	after := serverRSSKiB()
	for _, c := range connections {
		c.tls.Close()
	}
	fmt.Printf("connections=%d rss_before_kib=%d rss_after_kib=%d kib_per_conn=%.1f\n",
		len(connections), before, after, float64(after-before)/float64(len(connections)))
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
