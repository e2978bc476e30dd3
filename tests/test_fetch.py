"""web/fetch.py: only public http(s) addresses unless allowed, every redirect hop checked,
the connection pinned to the checked address, bodies and time bounded."""
from __future__ import annotations

import ipaddress
import time

import pytest

from launchwatch.web.fetch import (
    BlockedURLError, BodyTooLargeError, FetchError, blocked_reason, fetch, shown_url,
)
from local_http import LocalHTTP

LOOPBACK_ONLY = ["127.0.0.1/32"]


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://10.1.2.3/feed", "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[fe80::1]/", "http://[fc00::5]/",
    "http://0.0.0.0/", "http://224.0.0.1/", "http://192.168.1.1/", "http://100.64.0.1/",
    "http://[64:ff9b::a00:1]/", "http://[2002:7f00:1::]/", "https://localhost/",
])
def test_fetch_refuses_private_loopback_and_link_local(url):
    with pytest.raises(BlockedURLError, match="refused"):
        fetch(url)


@pytest.mark.parametrize("address,public", [
    ("8.8.8.8", True), ("2001:4860:4860::8888", True), ("::ffff:8.8.8.8", True),
    ("127.0.0.1", False), ("::ffff:10.0.0.1", False), ("233.1.1.1", False), ("::", False),
])
def test_fetch_blocked_reason_knows_public_addresses(address, public):
    assert (blocked_reason(ipaddress.ip_address(address)) is None) == public


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "javascript:alert(1)",
                                 "gopher://example.com/", "//example.com/x"])
def test_fetch_refuses_non_http_schemes(url):
    with pytest.raises(BlockedURLError, match="only http and https"):
        fetch(url, allow_private=True)


def test_fetch_refuses_a_name_that_resolves_to_a_private_address():
    with pytest.raises(BlockedURLError, match="private address 10.0.0.5"):
        fetch("http://intranet.example/", resolver=lambda host, port: ["10.0.0.5"])
    # one private answer among public ones is enough to refuse
    with pytest.raises(BlockedURLError):
        fetch("http://mixed.example/", resolver=lambda host, port: ["93.184.216.34", "127.0.0.1"])


def test_fetch_allows_loopback_only_with_the_setting():
    with LocalHTTP({"/a": (200, {"Content-Type": "text/plain"}, b"hello")}) as web:
        with pytest.raises(BlockedURLError, match="LAUNCHWATCH_ALLOW_PRIVATE_URLS"):
            fetch(web.url + "/a")
        page = fetch(web.url + "/a", allow_private=True)
        assert (page.status_code, page.content, page.ok) == (200, b"hello", True)
        assert fetch(web.url + "/a", allowed_networks=LOOPBACK_ONLY).content == b"hello"


def test_fetch_connects_to_the_checked_address_with_the_original_host():
    with LocalHTTP({"/p": (200, {}, b"pinned")}) as web:
        port = web.server.server_address[1]
        calls = []

        def resolver(host, port_):
            calls.append(host)
            return ["127.0.0.1"]

        page = fetch(f"http://news.example:{port}/p", allowed_networks=LOOPBACK_ONLY, resolver=resolver)
    assert page.content == b"pinned"
    assert calls == ["news.example"]          # resolved once, then connected to that address
    assert web.requests[0].headers["Host"] == f"news.example:{port}"


def test_fetch_checks_every_redirect_hop():
    routes = {"/to-private": (302, {"Location": "http://10.255.255.1/admin"}, b""),
              "/to-file": (301, {"Location": "file:///etc/passwd"}, b""),
              "/to-ok": (302, {"Location": "/ok"}, b""),
              "/ok": (200, {}, b"landed")}
    with LocalHTTP(routes) as web:
        with pytest.raises(BlockedURLError, match="10.255.255.1"):
            fetch(web.url + "/to-private", allowed_networks=LOOPBACK_ONLY)
        with pytest.raises(BlockedURLError, match="only http and https"):
            fetch(web.url + "/to-file", allowed_networks=LOOPBACK_ONLY)
        page = fetch(web.url + "/to-ok", allowed_networks=LOOPBACK_ONLY)
        assert (page.content, page.url) == (b"landed", web.url + "/ok")
        not_followed = fetch(web.url + "/to-ok", allowed_networks=LOOPBACK_ONLY, max_redirects=0)
        assert not_followed.status_code == 302 and not not_followed.ok


def test_fetch_stops_after_a_few_redirects():
    with LocalHTTP({"/loop": (302, {"Location": "/loop"}, b"")}) as web:
        with pytest.raises(FetchError, match="too many redirects"):
            fetch(web.url + "/loop", allow_private=True, max_redirects=3)
        assert len(web.requests) == 4


def test_fetch_refuses_oversized_bodies_declared_or_not():
    big = b"x" * 200_000
    routes = {"/sized": (200, {}, big), "/unsized": (200, {"X-No-Length": "1"}, big)}
    with LocalHTTP(routes) as web:
        with pytest.raises(BodyTooLargeError, match="100000-byte limit"):
            fetch(web.url + "/sized", allow_private=True, max_bytes=100_000)
        with pytest.raises(BodyTooLargeError):
            fetch(web.url + "/unsized", allow_private=True, max_bytes=100_000)
        assert len(fetch(web.url + "/unsized", allow_private=True, max_bytes=300_000).content) == 200_000


def test_fetch_times_out_as_a_whole():
    def slow(request):
        time.sleep(2)
        return 200, {}, b"late"

    with LocalHTTP({"/slow": slow}) as web:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out"):
            fetch(web.url + "/slow", allow_private=True, timeout=0.5)
        assert time.monotonic() - started < 1.5


def test_fetch_posts_and_reports_unreachable_hosts_without_secrets():
    with LocalHTTP({"/hook": (204, {}, b"")}) as web:
        answer = fetch(web.url + "/hook", method="POST", content=b'{"a": 1}',
                       headers={"Content-Type": "application/json"}, allow_private=True)
        assert answer.status_code == 204 and web.requests[0].body == b'{"a": 1}'
        closed_port = web.server.server_address[1]
    with pytest.raises(FetchError) as err:
        fetch(f"http://user:hunter2@127.0.0.1:{closed_port}/hook?token=s3cret", allow_private=True, timeout=2)
    assert "hunter2" not in str(err.value) and "s3cret" not in str(err.value)
    assert shown_url("https://u:p@h.example:8443/x?k=v#f") == "https://h.example:8443/x"


def _certificate(folder, name: str) -> tuple[str, str]:
    """A self-signed certificate for `name` (openssl), as (certfile, keyfile)."""
    import shutil
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("no openssl command to make a test certificate")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName=DNS:{name}", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


def test_fetch_https_pins_the_address_and_checks_the_certificate_against_the_name(tmp_path):
    import ssl

    cert, key = _certificate(tmp_path, "news.example")
    trusted = ssl.create_default_context(cafile=cert)
    to_loopback = lambda host, port: ["127.0.0.1"]  # noqa: E731
    with LocalHTTP({"/x": (200, {}, b"secure")}, tls=(cert, key)) as web:
        port = web.server.server_address[1]
        page = fetch(f"https://news.example:{port}/x", allowed_networks=LOOPBACK_ONLY, resolver=to_loopback,
                     verify=trusted)
        assert page.content == b"secure" and web.requests[0].headers["Host"] == f"news.example:{port}"
        with pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED|certificate"):
            fetch(f"https://other.example:{port}/x", allowed_networks=LOOPBACK_ONLY, resolver=to_loopback,
                  verify=trusted)
        with pytest.raises(FetchError):       # the system's CAs do not know this certificate
            fetch(f"https://news.example:{port}/x", allowed_networks=LOOPBACK_ONLY, resolver=to_loopback)
