"""A loopback HTTP server that runs the MapServer CGI once per request (test use only).

    python tests/mapserver/cgi_server.py PORT MAPSERV_EXECUTABLE

Every ``GET``/``POST`` of ``/mapserv`` runs the executable with the CGI
environment (``REQUEST_METHOD``, ``QUERY_STRING``, ``CONTENT_*``,
``SERVER_*``, ``HTTP_HOST``) and relays its ``Status:``, headers and body.
``MAPSERVER_CONFIG_FILE`` is passed through from this process's environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

CGI_TIMEOUT = 60


class Handler(BaseHTTPRequestHandler):
    server_version = "mimbridge-test-cgi"
    mapserv = ""

    def log_message(self, fmt: str, *args: object) -> None:
        sys.stderr.write(f"{self.address_string()} {fmt % args}\n")

    def do_GET(self) -> None:
        self._run(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._run(self.rfile.read(length) if length else b"")

    def _run(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        if parts.path != "/mapserv":
            self.send_error(404, "only /mapserv is served")
            return
        host, port = self.server.server_address[:2]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_SOFTWARE": self.server_version,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "/mapserv",
            "QUERY_STRING": parts.query,
            "REMOTE_ADDR": self.client_address[0],
            "HTTP_HOST": self.headers.get("Host", f"{host}:{port}"),
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
        }
        for key in ("MAPSERVER_CONFIG_FILE", "PROJ_DATA", "PROJ_LIB", "GDAL_DATA"):
            if key in os.environ:
                env[key] = os.environ[key]
        try:
            done = subprocess.run([self.mapserv], input=body, env=env, capture_output=True, timeout=CGI_TIMEOUT,
                                  check=False)
        except subprocess.TimeoutExpired:
            self.send_error(504, "mapserv timed out")
            return
        out = done.stdout
        head, sep, payload = out.partition(b"\r\n\r\n")
        if not sep:
            head, sep, payload = out.partition(b"\n\n")
        if not sep:
            self.send_error(502, f"mapserv wrote no CGI headers (exit {done.returncode}): {done.stderr[:200]!r}")
            return
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.strip().lower() == "status":
                status = int(value.strip().split()[0])
            elif name.strip():
                headers.append((name.strip(), value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main() -> None:
    port, Handler.mapserv = int(sys.argv[1]), sys.argv[2]
    with ThreadingHTTPServer(("127.0.0.1", port), Handler) as httpd:
        httpd.serve_forever()


if __name__ == "__main__":
    main()
