"""The client's address, decided in one place: the login lockout and the API rate limits both use it.

Only a proxy named in TRUSTED_PROXIES (DJANGO_TRUSTED_PROXIES; none by default) may speak for the client.
When the connecting peer (REMOTE_ADDR) is one of them, the client is the right-most X-Forwarded-For hop
that is not itself a trusted proxy: each proxy appends the address it received the request from, so
everything left of that hop is whatever the client chose to send. Otherwise forwarding headers are
ignored and the peer is the client.

Not django-ipware, measured: it never looks at REMOTE_ADDR, so a client that connects directly and sends
`X-Forwarded-For: 1.2.3.4` is 1.2.3.4 under every configuration we tried (default, proxy_count,
request_header_order), and its `proxy_trusted_ips` are matched by position against hops inside the
header, which a single nginx in front never writes (every request then resolved to None).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text):
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    return getattr(address, "ipv4_mapped", None) or address


def _trusted(address, networks):
    return address is not None and any(address in network for network in networks)


def client_ip(request):
    """The address to rate-limit and lock out: REMOTE_ADDR unless a trusted proxy forwarded the request.

    None when the peer has no IP address (a unix socket): there is nothing to key on or to believe.
    """
    client = _address(request.META.get("REMOTE_ADDR", ""))
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if _trusted(client, networks):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = _address(hop)
            if address is None:
                break  # not an address where a trusted proxy should have written one: believe nothing further
            client = address
            if not _trusted(address, networks):
                break
    return str(client) if client is not None else None


def from_trusted_proxy(request):
    """Whether the connecting peer is one of TRUSTED_PROXIES (so its forwarding headers may be believed)."""
    return _trusted(_address(request.META.get("REMOTE_ADDR", "")), _networks(tuple(settings.TRUSTED_PROXIES)))


class UntrustedForwardingHeadersMiddleware:
    """X-Forwarded-Proto is believed only from a trusted proxy, as X-Forwarded-For is.

    Django trusts SECURE_PROXY_SSL_HEADER from anyone; a client that connects directly could otherwise claim
    https (secure cookies, the scheme of absolute URLs and of the page cache's key).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_X_FORWARDED_PROTO" in request.META and not from_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)
