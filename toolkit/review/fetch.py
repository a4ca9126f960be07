"""Fetching the pages that sources cite, politely and safely.

The URLs come from contributors, so a fetch is guarded: every connection, the first and each one a
redirect leads to, goes only to a public address (a host that resolves to a loopback, private,
link-local or otherwise non-global address is refused unless `allow_private`), and the address
checked is the address connected to. Each fetch has a deadline (`timeout`, for the whole response,
not only for each read) and a size cap (`max_bytes`); requests to the same host are spaced by
`delay` seconds; the User-Agent names the project and where to read about it; and robots.txt is
obeyed (fetched through the same guard, once per site).

`Fetcher.fetch` returns a Fetched (the body, or why there is none); it never raises for a page
that cannot be had.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from toolkit import __version__

MAX_BYTES = 5_000_000
TIMEOUT = 20.0
DELAY = 2.0
CHUNK = 65_536
MAX_REDIRECTS = 5


class Refused(Exception):
    """A fetch this module will not make: a private address, a scheme other than http(s)."""


def user_agent(contact: str | None = None) -> str:
    """`csto-alignment/VERSION (+URL)`: the project, and where its maintainers can be found."""
    return f"csto-alignment/{__version__} (source verification" + (
        f"; +{contact})" if contact else ")"
    )


def public_address(host: str, port: int, allow_private: bool = False) -> str:
    """An address `host` resolves to, checked: every address it resolves to must be global
    (public) unless `allow_private`. Raises Refused, or OSError when it does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in infos]
    for a in addresses:
        ip = ipaddress.ip_address(a.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not ip.is_global and not allow_private:
            kind = (
                "loopback"
                if ip.is_loopback
                else "link-local"
                if ip.is_link_local
                else "private"
                if ip.is_private
                else "non-public"
            )
            raise Refused(
                f"{host} resolves to {ip}, a {kind} address: refused "
                "(--allow-private-addresses fetches it)"
            )
    return addresses[0]


def _handlers(allow_private: bool, timeout: float) -> list[urllib.request.BaseHandler]:
    class GuardedHTTP(http.client.HTTPConnection):
        def connect(self) -> None:
            address = public_address(self.host, self.port, allow_private)
            self.sock = socket.create_connection((address, self.port), timeout)

    class GuardedHTTPS(http.client.HTTPSConnection):
        def connect(self) -> None:
            address = public_address(self.host, self.port, allow_private)
            sock = socket.create_connection((address, self.port), timeout)
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(GuardedHTTP, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(GuardedHTTPS, req, context=ssl.create_default_context())

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def redirect_request(self, req, fp, code, msg, headers, newurl):
            if urlsplit(newurl).scheme not in ("http", "https"):
                raise Refused(f"a redirect to {newurl!r}, not an http(s) address: refused")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    # No proxy handler: a proxy would connect on our behalf to addresses never checked.
    return [urllib.request.ProxyHandler({}), HTTPHandler(), HTTPSHandler(), Redirects()]


@dataclass
class Fetched:
    url: str
    final_url: str = ""
    status: int | None = None  # the HTTP status, when a response came
    content_type: str = ""
    charset: str | None = None
    body: bytes = b""
    error: str = ""  # why there is no body (refused, timed out, too large, HTTP 404, ...)
    redirects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class Fetcher:
    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES
    delay: float = DELAY
    contact: str | None = None
    allow_private: bool = False
    robots: bool = True
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._opener = urllib.request.build_opener(*_handlers(self.allow_private, self.timeout))
        self.user_agent = user_agent(self.contact)

    def _wait(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            time.sleep(max(0.0, self.delay - (time.monotonic() - last)))
        self._last[host] = time.monotonic()

    def _get(self, url: str) -> Fetched:
        out = Fetched(url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            out.error = f"not an http(s) address: {url!r}"
            return out
        self._wait(parts.hostname)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        deadline = time.monotonic() + self.timeout
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                out.status, out.final_url = response.status, response.geturl()
                out.content_type = response.headers.get_content_type()
                out.charset = response.headers.get_content_charset()
                out.body = self._read(response, deadline)
        except urllib.error.HTTPError as exc:
            out.status, out.final_url = exc.code, exc.geturl() or url
            out.error = f"HTTP {exc.code} {exc.reason}".rstrip()
        except Refused as exc:
            out.error = str(exc)
        except urllib.error.URLError as exc:
            reason = exc.reason
            out.error = str(reason) if isinstance(reason, Refused) else f"cannot connect: {reason}"
            if isinstance(reason, TimeoutError):
                out.error = f"timed out after {self.timeout:g} s"
        except TimeoutError:
            out.error = f"timed out after {self.timeout:g} s"
        except _TooLarge:
            out.error = f"larger than {self.max_bytes:,} bytes: not read (--max-bytes)"
            out.body = b""
        except (OSError, http.client.HTTPException, ValueError) as exc:
            out.error = f"{type(exc).__name__}: {exc}"
        return out

    def _read(self, response: http.client.HTTPResponse, deadline: float) -> bytes:
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError
            chunk = response.read(CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge
            chunks.append(chunk)

    def allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets this User-Agent fetch `url` (no robots.txt, or one
        that cannot be had for a reason other than 401/403: yes)."""
        if not self.robots:
            return True
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            got = self._get(site + "/robots.txt")
            parser: urllib.robotparser.RobotFileParser | None = None
            if got.ok:
                parser = urllib.robotparser.RobotFileParser()
                parser.parse(got.body.decode("utf-8", "replace").splitlines())
            elif got.status in (401, 403):
                parser = urllib.robotparser.RobotFileParser()
                parser.parse(["User-agent: *", "Disallow: /"])
            self._robots[site] = parser
        parser = self._robots[site]
        return parser is None or parser.can_fetch(self.user_agent, url)

    def fetch(self, url: str) -> Fetched:
        """The page at `url`: its body, or the reason there is none."""
        try:
            if not self.allowed(url):
                return Fetched(url, error="robots.txt of the site disallows fetching it")
        except Refused as exc:
            return Fetched(url, error=str(exc))
        return self._get(url)


class _TooLarge(Exception):
    pass
