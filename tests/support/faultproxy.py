"""A fault-injecting HTTP proxy on a unix socket in front of the Docker Engine's socket.

Plain Python, one thread per client connection, keep-alive kept: each request
read from the client (request line, headers, a Content-Length or chunked
body) is numbered across the whole proxy, then:

- forwarded, and the engine's answer (Content-Length, chunked, or up to the
  close) sent back unchanged;
- or, when its number is armed with ``refuse``, answered 500 by the proxy:
  the engine never sees it;
- or, when armed with ``drop``, forwarded, run by the engine, its answer read
  and thrown away and the client's connection closed: the caller sees the
  connection lost after the engine acted.

Where the proxy runs matters for the collection's kernel checks, which find
the engine's network namespace from the socket peer's pid (SO_PEERCRED): the
peer is now this process. tests/integration/test_fault_sweep.py runs the
proxy in the test process, which it checks is in the engine's namespace, and
its plans are bridge networks run with kernel_check: skip.
"""
import os
import socket
import threading

REFUSAL = (b'HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s')


class _Reader(object):
    """Buffered reads of HTTP messages from a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b''

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError()
        self.buf += data

    def line(self):
        while b'\r\n' not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line + b'\r\n'

    def exactly(self, size):
        while len(self.buf) < size:
            self._fill()
        out, self.buf = self.buf[:size], self.buf[size:]
        return out

    def rest(self):
        out = self.buf
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                out += data
        except OSError:
            pass
        self.buf = b''
        return out

    def head(self):
        """(start line, [raw header lines], {lower name: value})."""
        start = self.line()
        lines, headers = [], {}
        while True:
            line = self.line()
            lines.append(line)
            if line == b'\r\n':
                break
            name, _colon, value = line.decode('latin-1').partition(':')
            headers[name.strip().lower()] = value.strip()
        return start, lines, headers

    def body(self, headers, until_close=False):
        """The raw body bytes as sent (chunk framing kept)."""
        if 'chunked' in headers.get('transfer-encoding', '').lower():
            out = b''
            while True:
                size_line = self.line()
                out += size_line
                size = int(size_line.split(b';')[0].strip(), 16)
                if size == 0:
                    while True:   # trailers, then the empty line
                        trailer = self.line()
                        out += trailer
                        if trailer == b'\r\n':
                            return out
                out += self.exactly(size + 2)
        if 'content-length' in headers:
            return self.exactly(int(headers['content-length']))
        return self.rest() if until_close else b''


class FaultProxy(object):
    """Listen on ``path``, forward to ``engine``; arm(n, mode) makes request n fail."""

    def __init__(self, path, engine='/var/run/docker.sock'):
        self.path = path
        self.engine = engine
        self.lock = threading.Lock()
        self.count = 0
        self.faults = {}
        self.matching = []     # [method, path ending, fault]: the first request that matches it, once
        self.log = []          # (number, method, path, what happened)
        self._server = None
        self._thread = None

    # -- control ------------------------------------------------------------------
    def reset(self, faults=None, matching=None):
        """Start numbering again from 1; ``faults`` maps a request number to 'refuse' or 'drop'; ``matching`` is a
        list of (method, path ending, fault): the first request of that method whose path (without the query)
        ends so gets the fault, once (for plans whose number of requests varies, such as a bounded wait)."""
        with self.lock:
            self.count = 0
            self.faults = dict(faults or {})
            self.matching = [list(m) for m in matching or []]
            self.log = []

    def start(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(64)
        self._thread = threading.Thread(target=self._accept, name='faultproxy', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            try:
                self._server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._server.close()
            self._server = None
        if os.path.exists(self.path):
            os.unlink(self.path)

    @property
    def url(self):
        return 'unix://' + self.path

    # -- serving ------------------------------------------------------------------
    def _accept(self):
        while True:
            try:
                client, _addr = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        upstream = None
        reader = _Reader(client)
        try:
            while True:
                try:
                    start, lines, headers = reader.head()
                except EOFError:
                    return
                body = reader.body(headers)
                method, _space, rest = start.decode('latin-1').partition(' ')
                target = rest.rsplit(' ', 1)[0]
                with self.lock:
                    self.count += 1
                    number = self.count
                    fault = self.faults.get(number)
                    for rule in self.matching:
                        if fault is None and rule[0] == method and target.split('?')[0].endswith(rule[1]):
                            fault = rule[2]
                            self.matching.remove(rule)
                            break
                    self.log.append((number, method, target, fault or 'forwarded'))
                if fault == 'refuse':
                    payload = b'{"message":"fault injected by the test proxy: request refused"}'
                    client.sendall(REFUSAL % (len(payload), payload))
                    continue
                if upstream is None:
                    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    upstream.connect(self.engine)
                    up_reader = _Reader(upstream)
                upstream.sendall(start + b''.join(lines) + body)
                status, resp_lines, resp_headers = up_reader.head()
                code = int(status.split()[1])
                no_body = method == 'HEAD' or code in (204, 304) or 100 <= code < 200
                closes = resp_headers.get('connection', '').lower() == 'close'
                resp_body = b'' if no_body else up_reader.body(
                    resp_headers, until_close=closes or ('content-length' not in resp_headers and
                                                         'chunked' not in resp_headers.get('transfer-encoding', '')))
                if fault == 'drop':
                    return   # the engine acted; its answer is lost with the connection
                client.sendall(status + b''.join(resp_lines) + resp_body)
                if closes:
                    return
        except (OSError, EOFError, ValueError, IndexError):
            return
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    try:
                        sock.close()
                    except OSError:
                        pass
