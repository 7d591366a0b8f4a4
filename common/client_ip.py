"""The client's address behind the reverse proxies the operator trusts (settings.TRUSTED_PROXIES).

REMOTE_ADDR is the last hop. When that hop is a trusted proxy, the address it received the
request from is the right-most X-Forwarded-For entry (nginx's `$proxy_add_x_forwarded_for`
appends it); walking the list from the right and skipping trusted proxies gives the first
address no trusted proxy vouches for. Entries left of it were written by the client and may
be forged, so they are never read. Without X-Forwarded-For, a trusted proxy's X-Real-IP is
used. A request from an untrusted address is that address, whatever its headers say.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [::1]:1234
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:1234
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.ipv4_mapped or address if address.version == 6 else address


def is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address as text ("unknown" when not even REMOTE_ADDR is an address)."""
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    hop = _address(request.META.get("REMOTE_ADDR", ""))
    if hop is None:
        return "unknown"
    if not is_trusted(hop, networks):
        return str(hop)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([e for e in forwarded.split(",") if e.strip()]):
        address = _address(entry)
        if address is None:
            return str(hop)  # garbage where an address should be: the last hop we know
        if not is_trusted(address, networks):
            return str(address)
        hop = address
    if not forwarded:
        real = _address(request.META.get("HTTP_X_REAL_IP", ""))
        if real is not None:
            return str(real)
    return str(hop)  # every hop is a trusted proxy: the request came from one of them
