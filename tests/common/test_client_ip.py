"""The client address behind trusted proxies: X-Forwarded-For read from the right, only as far
as trusted proxies vouch for it; X-Real-IP from a trusted proxy; headers from anyone else
ignored."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from common.client_ip import client_ip


def request(remote: str, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_a_direct_client_is_its_own_address_whatever_its_headers_say(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    forged = request("203.0.113.9", HTTP_X_FORWARDED_FOR="10.1.1.1", HTTP_X_REAL_IP="10.2.2.2")
    assert client_ip(forged) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_right_most_untrusted_entry_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # The client forged "1.2.3.4"; nginx appended the address it saw (198.51.100.7); a load
    # balancer at 10.0.0.5 appended nginx's view of it.
    chain = request("127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.5")
    assert client_ip(chain) == "198.51.100.7"


def test_x_real_ip_is_read_from_a_trusted_proxy_without_forwarded_for(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request("127.0.0.1", HTTP_X_REAL_IP="198.51.100.8")) == "198.51.100.8"
    assert client_ip(request("127.0.0.1")) == "127.0.0.1"


def test_ipv6_and_ports_and_garbage(settings):
    settings.TRUSTED_PROXIES = ["::1"]
    assert client_ip(request("::1", HTTP_X_FORWARDED_FOR="[2001:db8::5]:4431")) == "2001:db8::5"
    assert client_ip(request("::1", HTTP_X_FORWARDED_FOR="not-an-ip")) == "::1"
    assert client_ip(request("")) == "unknown"


def test_a_bad_trusted_proxy_setting_is_named(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="10.0.0.0/33"):
        client_ip(request("127.0.0.1"))
