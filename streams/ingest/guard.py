"""Where the fetcher may connect: only to global (public) addresses, unless allowed.

Feeds name the pages to fetch, and pages name where they redirect, so without a check a
feed could make `newsmon ingest` read the loopback interface, the private network or a
cloud metadata service (169.254.169.254) and publish what it finds. The check is made at
connect time, in an httpcore network backend: the host name is resolved once, every
address it resolves to is checked, and the connection is made to a checked address (so
a DNS answer that changes between the check and the connect cannot slip past). The URL,
the `Host` header and TLS (SNI and the certificate's host name) keep the host name. It
applies to every connection: the feed, each item's page and every redirect hop.

Refused: every address that is not global (Python's `ipaddress.is_global`: loopback,
private, link-local, shared, reserved, unspecified...), multicast, and IPv6 forms that
carry such an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`,
6to4, Teredo, NAT64 `64:ff9b::/96`). `NEWSMON_INGEST_ALLOW_HOSTS` lets some through:
host names (whatever they resolve to), addresses and CIDR ranges, comma-separated."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., list]  # socket.getaddrinfo's signature

HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class BlockedAddress(Exception):
    """A connection to an address that is not allowed; nothing was sent."""

    def __init__(self, host: str, address: str) -> None:
        where = host if host == address else f"{host} ({address})"
        super().__init__(f"{where} is not a public address")
        self.host = host
        self.address = address


@dataclass(frozen=True)
class AllowList:
    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> AllowList:
        """`host.example, 127.0.0.1, 10.0.0.0/8, [::1], fd00::/8`; ValueError for an
        entry that is neither a host name nor an address or range."""
        names, networks = set(), []
        for raw in (text or "").split(","):
            entry = raw.strip().strip("[]").lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            if not HOST_NAME.fullmatch(entry):
                raise ValueError(f"not a host name, address or CIDR range: {raw.strip()!r}")
            names.add(entry.rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def allows_name(self, host: str) -> bool:
        return host.strip("[]").lower().rstrip(".") in self.names

    def allows_address(self, address: Address) -> bool:
        return any(
            address in network for network in self.networks if network.version == address.version
        )


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, for the forms that reach it."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]  # the client's address
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """Global, not multicast, and (IPv6) not a form of a non-public IPv4 address."""
    if not address.is_global or address.is_multicast:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None and not is_public(inner):
            return False
    return True


def _address(text: str) -> Address:
    return ipaddress.ip_address(text.split("%", 1)[0])  # no IPv6 zone (`fe80::1%eth0`)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend with the check: resolve, check every address, connect
    to a checked one."""

    def __init__(self, allow: AllowList, resolve: Resolver = socket.getaddrinfo) -> None:
        self.allow = allow
        self.resolve = resolve

    def addresses(self, host: str, port: int) -> list[str]:
        """Every address `host` resolves to, in order; BlockedAddress if any is refused."""
        host = host.strip("[]")
        try:
            found = self.resolve(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError, OverflowError) as exc:
            raise httpcore.ConnectError(f"{host}: {exc}") from exc
        addresses = list(dict.fromkeys(info[4][0] for info in found))
        if not addresses:
            raise httpcore.ConnectError(f"{host}: no address")
        if self.allow.allows_name(host):
            return addresses
        for text in addresses:
            address = _address(text)
            if not is_public(address) and not self.allow.allows_address(address):
                raise BlockedAddress(host, text)
        return addresses

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.NetworkStream:
        error: Exception | None = None
        for address in self.addresses(host, port):
            try:  # an IP literal: connecting resolves nothing again
                return super().connect_tcp(
                    address, port, timeout, local_address, list(socket_options or ())
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(self, *args: object, **kwargs: object) -> httpcore.NetworkStream:
        raise BlockedAddress("unix socket", "unix socket")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport (TLS, HTTP/1.1, pooling, its exception mapping) on a
    connection pool whose network backend is `GuardedBackend`. httpx has no public
    parameter for the backend, so the pool it made is replaced; `tests/ingest/test_guard.py`
    fails if that stops taking effect."""

    def __init__(self, allow: AllowList, resolve: Resolver = socket.getaddrinfo) -> None:
        super().__init__()
        limits = httpx.Limits()
        self.backend = GuardedBackend(allow, resolve)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=self.backend,
        )
