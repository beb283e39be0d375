package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// Conn is one keep-alive HTTP/1.1 connection posting JSON bodies to one path.
type Conn struct {
	addr, path string
	timeout    time.Duration
	c          net.Conn
	r          *bufio.Reader
	req        []byte
	header     []byte // the response header of the last Post
}

// Dial opens a connection to addr (host:port). Each Post must complete within timeout.
func Dial(ctx context.Context, addr, path string, timeout time.Duration) (*Conn, error) {
	c := &Conn{addr: addr, path: path, timeout: timeout}
	if err := c.redial(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Conn) redial(ctx context.Context) error {
	if c.c != nil {
		_ = c.c.Close()
		c.c = nil
	}
	d := net.Dialer{Timeout: c.timeout}
	nc, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", c.addr, err)
	}
	c.c = nc
	if c.r == nil {
		c.r = bufio.NewReaderSize(nc, 16<<10)
	} else {
		c.r.Reset(nc)
	}
	return nil
}

// Close closes the connection.
func (c *Conn) Close() error {
	if c.c == nil {
		return nil
	}
	return c.c.Close()
}

// Post sends body and reads the whole response, returning its status code. After an error
// the next Post opens a new connection, as a server may close an idle or failed one.
func (c *Conn) Post(ctx context.Context, body []byte) (int, error) {
	if c.c == nil {
		if err := c.redial(ctx); err != nil {
			return 0, err
		}
	}
	status, err := c.roundTrip(body)
	if err != nil {
		_ = c.c.Close()
		c.c = nil
	}
	return status, err
}

// Header reports whether the last response carried a header line starting with prefix
// (case-sensitive, e.g. "X-Callscript-Fallback:").
func (c *Conn) Header(prefix string) bool {
	return bytes.Contains(c.header, []byte("\n"+prefix))
}

func (c *Conn) roundTrip(body []byte) (int, error) {
	req := append(c.req[:0], "POST "...)
	req = append(req, c.path...)
	req = append(req, " HTTP/1.1\r\nHost: "...)
	req = append(req, c.addr...)
	req = append(req, "\r\nContent-Type: application/json\r\nContent-Length: "...)
	req = strconv.AppendInt(req, int64(len(body)), 10)
	req = append(req, "\r\n\r\n"...)
	req = append(req, body...)
	c.req = req
	if err := c.c.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	if _, err := c.c.Write(req); err != nil {
		return 0, fmt.Errorf("send: %w", err)
	}
	return c.readResponse()
}

// readResponse reads a status line, headers, and a body framed by Content-Length or chunked.
func (c *Conn) readResponse() (int, error) {
	line, err := c.line()
	if err != nil {
		return 0, fmt.Errorf("read status line: %w", err)
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, fmt.Errorf("malformed status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("malformed status line %q", line)
	}
	c.header = append(c.header[:0], '\n')
	length, chunked, closing := -1, false, false
	for {
		line, err := c.line()
		if err != nil {
			return 0, fmt.Errorf("read header: %w", err)
		}
		if len(line) == 0 {
			break
		}
		c.header = append(append(c.header, line...), '\n')
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, fmt.Errorf("malformed Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	switch {
	case chunked:
		err = c.skipChunks()
	case length >= 0:
		_, err = c.r.Discard(length)
	default:
		return 0, errors.New("response has neither Content-Length nor chunked encoding")
	}
	if err != nil {
		return 0, fmt.Errorf("read body: %w", err)
	}
	if closing {
		_ = c.c.Close()
		c.c = nil
	}
	return status, nil
}

func (c *Conn) skipChunks() error {
	for {
		line, err := c.line()
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil {
			return fmt.Errorf("malformed chunk size %q", line)
		}
		if n == 0 {
			for { // trailers, up to the blank line
				line, err := c.line()
				if err != nil || len(line) == 0 {
					return err
				}
			}
		}
		if _, err := c.r.Discard(int(n) + 2); err != nil {
			return err
		}
	}
}

// line reads one CRLF-terminated line without its terminator. The slice is valid until the
// next read.
func (c *Conn) line() ([]byte, error) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}
