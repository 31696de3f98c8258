#!/usr/bin/env python3
"""An HTTP/1.1 reverse proxy that adds a round trip's latency to every S3 request (docs/bench-gc-free.sh).

  s3-latency-proxy.py --listen PORT --upstream http://HOST:PORT --delay-file FILE [--host 127.0.0.1]

It listens on 127.0.0.1:PORT and forwards every request to the upstream (an s3proxy on loopback)
unchanged: method, request target (path and query), every header as received, Host included (an S3
SigV4 signature covers Host, so rewriting it would break the signatures), and the body streamed in
64 KiB pieces, whether it has a Content-Length (aws-chunked bodies included: they travel with one) or
Transfer-Encoding: chunked (relayed chunk by chunk). The response goes back the same way: status,
headers as the upstream sent them, body streamed. Each client connection is kept alive as long as
the client and the upstream keep theirs, and has its own thread and its own upstream connection.

Before it forwards a request it sleeps the delay, in milliseconds (a decimal number), that FILE holds
when the request arrives; FILE is read again for every request, and a missing or empty one means no
delay. The delay is added once a request, whatever its size: it stands for the round trip to a remote
S3 that loopback does not have.

It counts what it forwarded, in disjoint kinds that add up to "total": every method by its name,
except that a GET of a bucket listing (list-type, prefix, delimiter, marker or continuation-token in
the query, or the bucket itself) is "GET-list" and a POST ?delete (S3 multi-object delete) is
"POST-delete". Besides, and not in "total": "POST-delete-keys" adds up the <Key> elements in those
requests' bodies, "bodies-chunked" counts the requests whose body came with Transfer-Encoding: chunked
and "bodies-aws-chunked" those whose body was aws-chunked (signed chunk by chunk). The same
counts are kept per bucket (the first segment of a path-style request's path). It answers two
requests of its own, never forwarded:
  GET  /__proxy/stats   the counts as one JSON object: {"total": N, KIND: N, ..., "buckets": {BUCKET: {...}}}
  POST /__proxy/reset   zeroes them (and answers with the counts it had)

Python 3 standard library only.
"""

import argparse
import http.client
import http.server
import json
import select
import socket
import sys
import threading
import time
import urllib.parse

PIECE = 64 * 1024
LIST_PARAMS = {"list-type", "prefix", "delimiter", "marker", "continuation-token"}
NOT_REQUESTS = {"POST-delete-keys", "bodies-chunked", "bodies-aws-chunked"}  # counted, not in "total"


class Counts:
    """The requests forwarded, by kind, in all and per bucket."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts, self.buckets = {}, {}

    def add(self, bucket, kind, n=1):
        with self.lock:
            for c in (self.counts, self.buckets.setdefault(bucket, {})):
                c[kind] = c.get(kind, 0) + n
                if kind not in NOT_REQUESTS:
                    c["total"] = c.get("total", 0) + n

    def snapshot(self, reset=False):
        with self.lock:
            c = dict(self.counts, buckets={b: dict(k) for b, k in self.buckets.items()})
            if reset:
                self.counts, self.buckets = {}, {}
        return c


def bucket_of(target):
    """The bucket a path-style request names ("" for the service itself)."""
    return urllib.parse.unquote(urllib.parse.urlsplit(target).path.lstrip("/").split("/", 1)[0])


def kind_of(method, target):
    split = urllib.parse.urlsplit(target)
    params = {k for k, _ in urllib.parse.parse_qsl(split.query, keep_blank_values=True)}
    if method == "POST" and "delete" in params:
        return "POST-delete"
    if method == "GET" and (params & LIST_PARAMS or (not params and "/" not in split.path.strip("/"))):
        return "GET-list"
    return method


class KeyCounter:
    """Counts b"<Key>" in a body seen in pieces (a tag split across two pieces still counts once)."""

    def __init__(self):
        self.n, self.tail = 0, b""

    def feed(self, data):
        buf = self.tail + data
        self.n += buf.count(b"<Key>")
        # Keep the last 4 bytes unless they end a full tag, so that a tag is never counted twice.
        self.tail = b"" if buf.endswith(b"<Key>") else buf[-4:]


def read_delay(path):
    """The delay in seconds that the file holds now (0 if it is missing, empty or not a number)."""
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return 0.0
    if not text:
        return 0.0
    try:
        return max(0.0, float(text)) / 1000.0
    except ValueError:
        return 0.0


class Upstream(http.client.HTTPConnection):
    """A connection to the upstream with Nagle's algorithm off (see Handler.disable_nagle_algorithm)."""

    def connect(self):
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # A request or a response goes out in two writes or more (head, then body); with Nagle's algorithm
    # the second waits for the peer's delayed ACK of the first, ~40 ms on Linux, on every request.
    disable_nagle_algorithm = True
    server_version = "s3-latency-proxy"
    config = None  # set by main(): upstream host and port, delay file, counts

    def log_request(self, code="-", size="-"):  # no access log (errors still go to standard error)
        pass

    def handle_one_request(self):
        # As BaseHTTPRequestHandler's, but every request, whatever its method, goes to forward().
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self.forward()
            self.wfile.flush()
        except (OSError, http.client.HTTPException) as e:
            self.log_error("connection: %r", e)
            self.close_connection = True

    def finish(self):
        super().finish()
        up = getattr(self, "upstream", None)
        if up is not None:
            up.close()

    # -- the proxy's own requests

    def own(self):
        path = urllib.parse.urlsplit(self.path).path
        if self.command == "GET" and path == "/__proxy/stats":
            body = self.config["counts"].snapshot()
        elif self.command == "POST" and path == "/__proxy/reset":
            self.drain_body()
            body = self.config["counts"].snapshot(reset=True)
        else:
            self.send_error(404, "unknown proxy request")
            return
        data = (json.dumps(body, sort_keys=True) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def drain_body(self):
        for _ in self.body_pieces():
            pass

    # -- forwarding

    def body_pieces(self):
        """The request's body as it came on the wire, in pieces (chunked framing kept)."""
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            while True:
                line = self.rfile.readline(65537)
                if not line.endswith(b"\n"):
                    raise ConnectionError("bad chunk size line")
                yield line
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while True:  # trailers, up to the empty line
                        line = self.rfile.readline(65537)
                        if not line.endswith(b"\n"):
                            raise ConnectionError("bad trailer")
                        yield line
                        if line in (b"\r\n", b"\n"):
                            return
                yield from self.exactly(size + 2)  # the chunk and its CRLF
        else:
            yield from self.exactly(int(self.headers.get("Content-Length") or 0))

    def exactly(self, left):
        """The next LEFT bytes of the request, in pieces of at most PIECE."""
        while left > 0:
            data = self.rfile.read(min(PIECE, left))
            if not data:
                raise ConnectionError("body cut short")
            left -= len(data)
            yield data

    def upstream_connection(self):
        """This client connection's upstream connection, new if the old one was closed by the upstream."""
        up = getattr(self, "upstream", None)
        if up is not None and up.sock is not None:
            # Readable while idle means the upstream closed it (or sent what it should not): start anew.
            readable, _, _ = select.select([up.sock], [], [], 0)
            if readable:
                up.close()
        if up is None:
            up = self.upstream = Upstream(self.config["host"], self.config["port"], timeout=600)
        return up

    def forward(self):
        if self.path.startswith("/__proxy/"):
            self.own()
            return
        cfg = self.config
        delay = read_delay(cfg["delay_file"])
        if delay > 0:
            time.sleep(delay)
        kind = kind_of(self.command, self.path)
        keys = KeyCounter() if kind == "POST-delete" else None
        has_body = "Transfer-Encoding" in self.headers or "Content-Length" in self.headers
        for attempt in (1, 2):
            up = self.upstream_connection()
            sent_body = False
            try:
                up.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in self.headers.items():
                    up.putheader(name, value)
                up.endheaders()
                if has_body:
                    sent_body = True
                    for piece in self.body_pieces():
                        if keys:
                            keys.feed(piece)
                        up.send(piece)
                resp = up.getresponse()
                break
            except (OSError, http.client.HTTPException) as e:
                up.close()
                # A request whose body was (partly) read from the client cannot be sent again.
                if attempt == 2 or sent_body:
                    self.log_error("upstream: %r", e)
                    self.send_error(502, "upstream: %s" % e)
                    self.close_connection = True
                    return
        bucket = bucket_of(self.path)
        cfg["counts"].add(bucket, kind)
        if keys:
            cfg["counts"].add(bucket, "POST-delete-keys", keys.n)
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            cfg["counts"].add(bucket, "bodies-chunked")
        if "aws-chunked" in self.headers.get("Content-Encoding", "").lower() or \
                self.headers.get("x-amz-content-sha256", "").startswith("STREAMING-"):
            cfg["counts"].add(bucket, "bodies-aws-chunked")
        self.relay(resp)

    def relay(self, resp):
        """Writes the upstream's response to the client as it comes, with the same framing."""
        out = self.wfile
        reason = resp.reason or ""
        lines = ["HTTP/1.1 %d %s\r\n" % (resp.status, reason)]
        close = False
        for name, value in resp.headers.items():
            lines.append("%s: %s\r\n" % (name, value))
            if name.lower() == "connection" and "close" in value.lower():
                close = True
        lines.append("\r\n")
        head = "".join(lines).encode("latin-1")  # sent with the body's first piece: one write for a small answer
        # http.client takes the chunked framing off; it is put back the same way for the client.
        chunked = resp.chunked
        while True:
            data = resp.read1(PIECE) if chunked else resp.read(PIECE)
            if not data:
                break
            if chunked:
                data = b"%x\r\n" % len(data) + data + b"\r\n"
            out.write(head + data)
            head = b""
        out.write(head + (b"0\r\n\r\n" if chunked else b""))
        out.flush()
        # A body that ends with the connection (no length, not chunked) or an upstream that closes: so does this one.
        # (http.client gives HEAD, 204 and 304 answers a length of 0.)
        if close or (not chunked and resp.length is None):
            self.close_connection = True
        if resp.will_close:
            self.upstream.close()
        resp.close()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--listen", type=int, required=True, help="the port to listen on")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (127.0.0.1)")
    p.add_argument("--upstream", required=True, help="http://HOST:PORT of the S3 server")
    p.add_argument("--delay-file", required=True, help="holds the delay in ms; missing or empty: 0")
    args = p.parse_args()
    u = urllib.parse.urlsplit(args.upstream)
    if u.scheme != "http" or not u.hostname:
        raise SystemExit("only http:// upstreams: %s" % args.upstream)
    Handler.config = {"host": u.hostname, "port": u.port or 80, "delay_file": args.delay_file,
                      "counts": Counts()}
    server = Server((args.host, args.listen), Handler)
    print("s3-latency-proxy on %s:%d -> %s, delay from %s" % (args.host, args.listen, args.upstream,
                                                              args.delay_file), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
