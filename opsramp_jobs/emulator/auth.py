"""API credentials, OAuth2 client-credentials tokens and tenant access rules."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from .seed import (
    CLIENT13_KEY,
    CLIENT13_SECRET,
    CLIENT13_TENANT,
    CLIENT93_KEY,
    CLIENT93_SECRET,
    CLIENT93_TENANT,
    PARTNER_TENANT,
    SYNTHETIC_CREDENTIALS,
    TENANTS,
)


@dataclass(frozen=True)
class Principal:
    """Whose API key a token was issued to: a tenant id."""

    tenant_id: str

    def may_access(self, tenant_id: str) -> bool:
        """A partner may act on itself and its clients; a client only on itself."""
        if tenant_id == self.tenant_id:
            return True
        target = TENANTS.get(tenant_id)
        return target is not None and target.partner_id == self.tenant_id


@dataclass
class _Token:
    principal: Principal
    expires_at: float


class TokenIssuer:
    """Checks API keys and issues and validates bearer tokens (in memory only)."""

    def __init__(self, partner_key: str, partner_secret: str, ttl_seconds: float) -> None:
        self.ttl_seconds = ttl_seconds
        self._credentials: dict[str, tuple[str, Principal]] = {
            partner_key: (partner_secret, Principal(PARTNER_TENANT)),
            CLIENT13_KEY: (CLIENT13_SECRET, Principal(CLIENT13_TENANT)),
            CLIENT93_KEY: (CLIENT93_SECRET, Principal(CLIENT93_TENANT)),
        }
        self._tokens: dict[str, _Token] = {}

    def issue(self, client_id: str, client_secret: str) -> tuple[str, int] | None:
        """A new token and its lifetime in seconds, or None for bad credentials."""
        known = self._credentials.get(client_id)
        if known is None and client_id in SYNTHETIC_CREDENTIALS:
            secret, tenant_id = SYNTHETIC_CREDENTIALS[client_id]
            known = (secret, Principal(tenant_id))
        # compare_digest takes str only when ASCII; bytes make any secret comparable.
        if known is None or not secrets.compare_digest(
            known[0].encode("utf-8", "surrogatepass"),
            client_secret.encode("utf-8", "surrogatepass"),
        ):
            return None
        token = secrets.token_hex(16)
        self._tokens[token] = _Token(known[1], time.monotonic() + self.ttl_seconds)
        return token, max(0, round(self.ttl_seconds))

    def principal(self, authorization: str | None) -> Principal | None:
        """The principal of a valid `Bearer` header, or None."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        entry = self._tokens.get(token.strip())
        if entry is None:
            return None
        if entry.expires_at <= time.monotonic():
            del self._tokens[token.strip()]
            return None
        return entry.principal

    def expire_all(self) -> int:
        """Invalidate every issued token; returns how many there were."""
        count = len(self._tokens)
        self._tokens.clear()
        return count
