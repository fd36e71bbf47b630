"""The shipped proxy (deploy/nginx.conf) run by a real nginx: Debian's, as a
private instance on a loopback port, its config derived from the shipped file
with only the addresses changed. It sets the forwarded headers itself (a
client's own are not trusted), stamps when a request arrived for Vigil's
shedding, passes a refusal from behind it on fast and intact, and serves the
uploaded media itself."""

import json
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from tests.ports import free_port
from tests.test_query_counts import publish

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONFIG = Path(settings.BASE_DIR) / "deploy" / "nginx.conf"

pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists(),
    reason="needs Debian's nginx (apt-get install nginx; make proxy and .ci/run do)",
)



def _replaced(text, old, new):
    assert old in text, f"deploy/nginx.conf no longer has {old!r}"
    return text.replace(old, new)


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read(), time.monotonic() - started


class Nginx:
    """deploy/nginx.conf in front of `upstream_port`, media from `media`."""

    def __init__(self, upstream_port, media, scheme="https"):
        self.workdir = Path(tempfile.mkdtemp(prefix="vigil-nginx-"))
        self.workdir.chmod(0o755)
        self.port = free_port()
        server = CONFIG.read_text()
        server = _replaced(server, "server varnish:80;", f"server 127.0.0.1:{upstream_port};")
        server = _replaced(server, "listen 80;", f"listen 127.0.0.1:{self.port};")
        server = _replaced(server, "alias /srv/media/;", f"alias {media}/;")
        # What nginx's image does with the template at start (envsubst of the
        # variables it was given; nginx's own, such as ${msec}, stay).
        server = _replaced(server, "${PUBLIC_SCHEME}", scheme)
        temp = " ".join(f"{kind}_temp_path {self.workdir / kind};"
                        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (self.workdir / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {self.workdir / 'nginx.pid'};\n"
            f"error_log {self.workdir / 'error.log'} warn;\n"
            "events { worker_connections 256; }\n"
            f"http {{ include /etc/nginx/mime.types; access_log off; {temp}\n{server}\n}}\n"
        )
        self.process = subprocess.Popen(
            ["nice", "-n", "19", NGINX, "-c", str(self.workdir / "nginx.conf")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode()
                self.stop()
                pytest.fail(f"nginx exited: {output}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("nginx did not listen within 20 s")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture
def media():
    # Outside pytest's own tmp folders (mode 0700): nginx's workers read it as nobody.
    root = Path(tempfile.mkdtemp(prefix="vigil-nginx-media-"))
    root.chmod(0o755)
    (root / "covers").mkdir(mode=0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


class EchoHandler(BaseHTTPRequestHandler):
    """Answers with the headers it was sent, as JSON."""

    def do_GET(self):
        body = json.dumps({name.lower(): value for name, value in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def echo():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_nginx_sets_the_forwarded_headers_itself_whatever_the_client_sends(echo, media):
    proxy = Nginx(echo, media, scheme="https")
    try:
        before = time.time()
        status, _, body, _ = _get(proxy.url + "/articles/", headers={
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Proto": "http",
            "X-Request-Start": "t=1000000000.000",
            "X-Request-ID": "spoofed-id",
        })
        after = time.time()
        seen = json.loads(body)
        assert status == 200
        # The address nginx saw, alone: the spoofed one is neither kept nor appended.
        assert seen["x-forwarded-for"] == "127.0.0.1"
        # The deployment's scheme, not the client's say-so.
        assert seen["x-forwarded-proto"] == "https"
        # When nginx took the request, not when the client says it was sent.
        stamp = float(seen["x-request-start"].removeprefix("t="))
        assert before - 1 <= stamp <= after + 1
        assert re.fullmatch(r"[0-9a-f]{32}", seen["x-request-id"])
        assert seen["host"] == "127.0.0.1"  # $host: the name asked for

        # Another deployment's scheme is sent just as firmly.
        plain = Nginx(echo, media, scheme="http")
        try:
            seen = json.loads(_get(plain.url + "/", headers={"X-Forwarded-Proto": "https"})[2])
            assert seen["x-forwarded-proto"] == "http"
        finally:
            plain.stop()
    finally:
        proxy.stop()


def test_nginx_serves_uploaded_media_itself_and_only_files(echo, media):
    cover = media / "covers" / "flood.png"
    cover.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    cover.chmod(0o644)
    proxy = Nginx(echo, media)
    try:
        status, headers, body, _ = _get(proxy.url + "/media/covers/flood.png")
        assert status == 200
        assert body == cover.read_bytes()
        assert headers["Content-Type"] == "image/png"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "max-age=604800" in headers["Cache-Control"]  # expires 7d
        assert "x-forwarded-for" not in body.decode("latin-1")  # not the echo upstream

        # No listing of the folder, no file that is not there, nothing outside it.
        assert _get(proxy.url + "/media/covers/")[0] in (403, 404)
        assert _get(proxy.url + "/media/covers/missing.png")[0] == 404
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as raw:
            raw.sendall(b"GET /media/../../etc/passwd HTTP/1.1\r\n"
                        b"Host: x\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := raw.recv(65536):
                answer += chunk
        assert b"root:" not in answer
        assert answer.split()[1] in (b"400", b"403", b"404")
    finally:
        proxy.stop()


@pytest.mark.django_db(transaction=True)
def test_nginx_in_front_of_vigil_serves_pages_and_static_files_and_its_stamp_decides_shedding(
    live_server, media, settings,
):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    article = publish(articles=1, claims_each=1)[0]
    proxy = Nginx(live_server.thread.port, media, scheme="http")
    page = article.get_absolute_url()
    a_minute_ago = {"X-Request-Start": f"t={time.time() - 60:.3f}"}
    try:
        # A request stamped a minute ago straight at Vigil is shed: 503, fast,
        # with Retry-After (the deadline is 3 s)...
        status, headers, body, _ = _get(live_server.url + page, headers=a_minute_ago)
        retry_after = str(settings.VIGIL_SHED_RETRY_AFTER_SECONDS)
        assert status == 503 and headers["Retry-After"] == retry_after
        # ...and nginx passes that refusal on as it is, fast.
        settings.VIGIL_REQUEST_DEADLINE_SECONDS = -1  # every request "late"
        status, headers, body, elapsed = _get(proxy.url + page)
        assert status == 503
        assert headers["Retry-After"] == retry_after
        assert body.decode().startswith("Vigil is busy")
        assert elapsed < 1
        settings.VIGIL_REQUEST_DEADLINE_SECONDS = 3

        # Through nginx, the client's stamp is replaced by nginx's: the page is served.
        status, headers, body, _ = _get(proxy.url + page, headers=a_minute_ago)
        assert status == 200, body[:300]
        assert article.title in body.decode()
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])

        # Static files reach readers through it, compressed.
        stylesheet = "/static/css/vigil.css"
        status, headers, body, _ = _get(proxy.url + stylesheet, headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        assert headers["Content-Encoding"] == "gzip"
        on_disk = Path(settings.BASE_DIR) / "static" / "css" / "vigil.css"
        assert _get(proxy.url + stylesheet)[2] == on_disk.read_bytes()
    finally:
        proxy.stop()
