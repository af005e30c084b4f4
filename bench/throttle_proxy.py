"""A loopback proxy in front of the emulator that enforces AWS's per-API quotas, scaled down:
one token bucket per operation (RATE calls per second, a burst of one second's worth),
answering ThrottlingException as AWS does when a bucket is empty. Operations in one group
share a bucket (Parameter Store's reads share one quota).

usage: throttle_proxy.py UPSTREAM_URL RATES_JSON
  RATES_JSON: {"BatchGetSecretValue": 1, "GetSecretValue": 100}  (unlisted operations pass)
Prints its own URL on stdout, then serves. GET /__stats gives the calls and throttled calls
per operation as JSON; POST /__reset empties them and refills the buckets.
"""
import http.client
import http.server
import json
import sys
import threading
import time
import urllib.parse

upstream = urllib.parse.urlparse(sys.argv[1])
rates = json.loads(sys.argv[2])
lock = threading.Lock()
buckets = {}
stats = {}


def reset():
    with lock:
        now = time.monotonic()
        for group, rate in rates.items():
            buckets[group] = [float(max(rate, 1)), now]
        stats.clear()


def group_of(operation):
    for group in rates:
        if operation == group or (group.endswith("*") and operation.startswith(group[:-1])):
            return group
    return None


def admit(operation):
    """Counts the call; whether its bucket had a token for it."""
    with lock:
        counts = stats.setdefault(operation, {"calls": 0, "throttled": 0})
        counts["calls"] += 1
        group = group_of(operation)
        if group is None:
            return True
        rate = float(rates[group])
        tokens, last = buckets[group]
        now = time.monotonic()
        tokens = min(max(rate, 1.0), tokens + (now - last) * rate)
        if tokens >= 1.0:
            buckets[group] = [tokens - 1.0, now]
            return True
        buckets[group] = [tokens, now]
        counts["throttled"] += 1
        return False


upstream_connections = threading.local()


def forward(path, body, headers):
    """Sends the call upstream on this thread's kept-alive connection (one new connection per
    call would cost the emulator more than the calls)."""
    for attempt in range(2):
        connection = getattr(upstream_connections, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
            upstream_connections.connection = connection
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            return response, response.read()
        except (http.client.HTTPException, OSError):
            connection.close()
            upstream_connections.connection = None
            if attempt == 1:
                raise


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/__stats":
            with lock:
                body = json.dumps(stats).encode()
            self.reply(200, body, [("Content-Type", "application/json")])
        else:
            self.reply(404, b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/__reset":
            reset()
            self.reply(200, b"")
            return
        target = self.headers.get("X-Amz-Target", "")
        operation = target.rsplit(".", 1)[-1] if target else urllib.parse.parse_qs(body.decode()).get("Action", ["?"])[0]
        if not admit(operation):
            payload = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
            self.reply(400, payload, [("Content-Type", "application/x-amz-json-1.1"),
                                      ("x-amzn-ErrorType", "ThrottlingException"),
                                      ("x-amzn-RequestId", "throttled")])
            return
        headers = {name: value for name, value in self.headers.items() if name.lower() not in ("host", "connection")}
        response, payload = forward(self.path, body, headers)
        self.reply(response.status, payload,
                   [(name, value) for name, value in response.getheaders()
                    if name.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date")])

    def log_message(self, *args):
        pass

    def handle(self):
        # A client that gave up (its own timeout) is not the proxy's error.
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


reset()
server = Server(("127.0.0.1", 0), Proxy)
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
