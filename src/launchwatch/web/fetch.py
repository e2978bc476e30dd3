"""Fetching URLs safely: webhook deliveries (POST) and watched feeds and their articles (GET).

    page = fetch("https://news.example/feed.rss")                    # Fetched(url, status_code, headers, content)
    fetch(hook_url, method="POST", content=body, headers=signed, max_redirects=0)

Each hop (the URL, then every redirect) is checked before anything is sent:
only http and https; the host is resolved once and every address it resolves
to must be public (no private, loopback, link-local, multicast, reserved or
unspecified address, IPv4 or IPv6, IPv4-mapped and 6to4/NAT64/Teredo-embedded
IPv4 included) unless `allow_private` is set or the address is in
`allowed_networks`. The connection then goes to that checked address, with
the Host header and TLS SNI (and certificate check) of the original name, so a
DNS answer that changes between the check and the connection (DNS rebinding)
cannot send the request elsewhere. The body is streamed and cut at
`max_bytes`, decompressed bytes counted; `timeout` bounds the whole fetch,
redirects included. Proxy variables from the environment are ignored (a proxy
would connect wherever it likes).

FetchError (a LaunchwatchError)
 +-- BlockedURLError   a scheme or an address the policy refuses
 +-- BodyTooLargeError the response is larger than max_bytes
(network failures, timeouts and redirect loops are plain FetchErrors.)
Messages name the URL without its user info or query string, which may hold
secrets.
"""
from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urljoin, urlsplit

import httpx

from launchwatch.errors import LaunchwatchError

# A news page is ~100 KB; feeds of a few hundred items stay under a few MB.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT_S = 20.0
DEFAULT_MAX_REDIRECTS = 3
REDIRECT_CODES = (301, 302, 303, 307, 308)
USER_AGENT = "launchwatch"
# NAT64 (RFC 6052) embeds an IPv4 address in its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(LaunchwatchError):
    """A URL that could not be fetched (refused, unreachable, too slow, too large)."""


class BlockedURLError(FetchError):
    """A URL the fetch policy refuses: not http(s), or an address that is not public."""


class BodyTooLargeError(FetchError):
    """A response body over the size limit."""


@dataclass(frozen=True)
class Fetched:
    """A response as fetched: the final URL (after redirects), its status, headers and body."""

    url: str
    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


def shown_url(url: str) -> str:
    """The URL for messages and logs: no user info, no query string or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def blocked_reason(address: IPAddress) -> str | None:
    """Why an address may not be fetched by default (None: a public address)."""
    inner = _embedded_ipv4(address)
    if inner is not None:
        return blocked_reason(inner)
    for name in ("loopback", "link_local", "private", "multicast", "unspecified", "reserved"):
        if getattr(address, f"is_{name}"):
            return f"{name.replace('_', '-')} address {address}"
    if not address.is_global:
        return f"non-public address {address}"
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo client), if any."""
    if address.version != 6:
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def fetch(url: str, *, method: str = "GET", content: bytes | None = None, headers: dict | None = None,
          allow_private: bool = False, allowed_networks: Iterable[str] = (),
          max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_TIMEOUT_S,
          max_redirects: int = DEFAULT_MAX_REDIRECTS, resolver: Resolver = system_resolver,
          verify: ssl.SSLContext | bool = True) -> Fetched:
    """Fetch `url` under the policy above; a response of any status is returned, errors raise FetchError.

    With max_redirects=0 a redirect is returned as it is, not followed. `verify`
    is httpx's: True checks certificates against the system's CAs.
    """
    policy = _Policy(allow_private, [ipaddress.ip_network(n) for n in allowed_networks], resolver)
    deadline = time.monotonic() + timeout
    with httpx.Client(trust_env=False, follow_redirects=False, verify=verify) as client:
        for _hop in range(max_redirects + 1):
            response = _send(client, policy, method, url, content, headers, max_bytes, deadline)
            location = response.headers.get("location")
            if response.status_code not in REDIRECT_CODES or not location or max_redirects == 0:
                return response
            url = urljoin(url, location)
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, content = "GET", None
    raise FetchError(f"too many redirects (more than {max_redirects}) fetching {shown_url(url)}")


@dataclass
class _Policy:
    allow_private: bool
    allowed_networks: list
    resolver: Resolver

    def address_for(self, url: str) -> tuple[str, int]:
        """The checked address to connect to for `url`, and its port; BlockedURLError if refused."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise BlockedURLError(f"refused {parts.scheme or 'scheme-less'} URL: only http and https are fetched")
        if not parts.hostname:
            raise BlockedURLError(f"refused URL without a host: {shown_url(url)}")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise BlockedURLError(f"refused URL with a bad port: {shown_url(url)}") from None
        addresses = self._resolve(parts.hostname, port, url)
        for address in addresses:
            reason = self._refusal(address)
            if reason:
                raise BlockedURLError(f"refused {shown_url(url)}: {_named(parts.hostname, address)}{reason} "
                                      "(set LAUNCHWATCH_ALLOW_PRIVATE_URLS=1 to allow private addresses)")
        return str(addresses[0]), port

    def _resolve(self, host: str, port: int, url: str) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        try:
            found = self.resolver(host, port)
        except (OSError, UnicodeError) as err:
            raise FetchError(f"cannot resolve {host} ({shown_url(url)}): {err}") from None
        if not found:
            raise FetchError(f"cannot resolve {host} ({shown_url(url)}): no address")
        return [ipaddress.ip_address(a.split("%")[0]) for a in found]

    def _refusal(self, address: IPAddress) -> str | None:
        if self.allow_private or any(address in net for net in self.allowed_networks):
            return None
        return blocked_reason(address)


def _named(host: str, address: IPAddress) -> str:
    return "" if host.strip("[]") == str(address) else f"{host} resolves to a "


def _send(client: httpx.Client, policy: _Policy, method: str, url: str, content: bytes | None,
          headers: dict | None, max_bytes: int, deadline: float) -> Fetched:
    """One hop: connect to the checked address with the original Host and SNI, read at most max_bytes."""
    address, port = policy.address_for(url)
    parts = urlsplit(url)
    pinned = httpx.URL(url).copy_with(host=address, port=port)
    host_header = parts.netloc.rsplit("@", 1)[-1]
    request = client.build_request(
        method, pinned, content=content,
        headers={"User-Agent": USER_AGENT, **(headers or {}), "Host": host_header},
        extensions={"sni_hostname": parts.hostname, "timeout": _timeouts(deadline, url)})
    try:
        response = client.send(request, stream=True)
        try:
            body = _read_body(response, max_bytes, deadline, url)
        finally:
            response.close()
    except httpx.TimeoutException:
        raise FetchError(f"timed out fetching {shown_url(url)}") from None
    except httpx.HTTPError as err:
        detail = _URL_IN_TEXT.sub(lambda m: shown_url(m.group(0)), _first_line(err))
        raise FetchError(f"cannot fetch {shown_url(url)}: {type(err).__name__}: {detail}") from None
    return Fetched(url, response.status_code, response.headers, body)


def _timeouts(deadline: float, url: str) -> dict[str, float]:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"timed out fetching {shown_url(url)}")
    return {"connect": left, "read": left, "write": left, "pool": left}


def _read_body(response: httpx.Response, max_bytes: int, deadline: float, url: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLargeError(f"refused {shown_url(url)}: {declared} bytes over the {max_bytes}-byte limit")
    pieces, size = [], 0
    for piece in response.iter_bytes():
        size += len(piece)
        if size > max_bytes:
            raise BodyTooLargeError(f"refused {shown_url(url)}: more than the {max_bytes}-byte limit")
        if time.monotonic() > deadline:
            raise FetchError(f"timed out fetching {shown_url(url)}")
        pieces.append(piece)
    return b"".join(pieces)


_URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>]+")


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else "no detail"


__all__ = ["fetch", "Fetched", "FetchError", "BlockedURLError", "BodyTooLargeError", "blocked_reason",
           "shown_url", "system_resolver"]
