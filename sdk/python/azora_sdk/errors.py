"""The SDK's exceptions."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional


class AzoraError(Exception):
    """Base class of every exception this SDK raises itself (transport failures stay httpx's exceptions)."""


class AzoraApiError(AzoraError):
    """The API answered with an error: an RFC 9457 problem (``application/problem+json``) or any other non-2xx.

    Branch on ``code`` (stable: ``VALIDATION_ERROR``, ``UNAUTHORIZED``, ``NOT_FOUND``, ``RATE_LIMIT_EXCEEDED``, …),
    never on ``title`` or ``detail``, which are for people. ``errors`` names each invalid field of a
    ``VALIDATION_ERROR``. Quote ``trace_id`` to support. ``code`` is None only for an answer that is not a problem
    (for example a proxy's HTML page).
    """

    def __init__(
        self,
        status: int,
        *,
        code: Optional[str] = None,
        title: Optional[str] = None,
        detail: Optional[str] = None,
        errors: Optional[Mapping[str, List[str]]] = None,
        trace_id: Optional[str] = None,
        type: Optional[str] = None,
        instance: Optional[str] = None,
        retry_after: Optional[float] = None,
        method: Optional[str] = None,
        url: Optional[str] = None,
        problem: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors: Dict[str, List[str]] = {k: list(v) for k, v in (errors or {}).items()}
        self.trace_id = trace_id
        self.type = type
        self.instance = instance
        self.retry_after = retry_after
        """Seconds the API asked to wait (``Retry-After``), when it said."""
        self.method = method
        self.url = url
        self.problem: Dict[str, Any] = dict(problem or {})
        """The whole problem object as received, extension members included."""
        super().__init__(self._message())

    def _message(self) -> str:
        text = f"{self.status} {self.code or self.title or 'error'}"
        if self.detail:
            text += f": {self.detail}"
        elif self.title and self.code:
            text += f": {self.title}"
        if self.errors:
            text += " (" + "; ".join(f"{field}: {' '.join(messages)}" for field, messages in self.errors.items()) + ")"
        if self.method and self.url:
            text += f" [{self.method} {self.url}]"
        if self.trace_id:
            text += f" trace {self.trace_id}"
        return text

    def __repr__(self) -> str:
        return f"AzoraApiError(status={self.status!r}, code={self.code!r}, trace_id={self.trace_id!r})"


class WebhookVerificationError(AzoraError):
    """An incoming webhook failed verification; answer it with 400 and do not act on it.

    ``reason`` is ``"malformed"`` (no or unreadable ``Azora-Signature``, or a body that is not a JSON object),
    ``"signature"`` (no ``v1`` matches any of the secrets: forged, altered, or signed with another secret) or
    ``"stale"`` (the signature is right but its timestamp is outside the tolerance: a replay, or a clock far off).
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)
