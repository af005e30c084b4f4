"""A loopback proxy that counts the AWS API calls going through it.

usage: count_proxy.py UPSTREAM_URL LOG_FILE   (prints its own URL on stdout, then serves)
Each call appends its operation (from X-Amz-Target, or the query Action) to LOG_FILE.
"""
import http.client
import http.server
import sys
import urllib.parse

upstream = urllib.parse.urlparse(sys.argv[1])
log_path = sys.argv[2]


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        target = self.headers.get("X-Amz-Target", "")
        operation = target.rsplit(".", 1)[-1] if target else urllib.parse.parse_qs(body.decode()).get("Action", ["?"])[0]
        with open(log_path, "a") as log:
            log.write(operation + "\n")
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        headers = {name: value for name, value in self.headers.items() if name.lower() not in ("host", "connection")}
        connection.request("POST", self.path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
