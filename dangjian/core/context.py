"""Per-request facts the audit log needs (client IP), without threading them through services."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
