"""Verifying Azora's outgoing webhooks: ``Azora-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]``.

Each ``v1`` is HMAC-SHA256, keyed with a subscription secret, of ``<t>.<raw body>``, in lowercase hex. During a secret
rotation the header carries two ``v1`` values (the new secret's and the old one's), so a receiver holding either
secret accepts the delivery.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from .errors import WebhookVerificationError

SIGNATURE_HEADER = "Azora-Signature"
DEFAULT_TOLERANCE = 300

Secret = Union[str, bytes]
_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


def verify_webhook(
    payload: Union[bytes, bytearray, memoryview, str],
    header: Optional[str],
    secrets: Union[Secret, Iterable[Secret]],
    tolerance: float = DEFAULT_TOLERANCE,
    now: Union[float, int, datetime, None] = None,
) -> Dict[str, Any]:
    """Checks a delivery and returns its event (``{"id", "type", "createdAt", "data"}``) as a dict.

    ``payload`` is the raw request body exactly as received (verify before parsing anything); ``header`` the value of
    ``Azora-Signature``; ``secrets`` one subscription secret or several (keep the old one while you deploy a rotated
    secret); ``tolerance`` the seconds a timestamp may be from ``now`` (default: the clock) either way.

    Raises WebhookVerificationError (``reason`` ``"malformed"``, ``"signature"`` or ``"stale"``).
    """
    body = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    keys = _secrets(secrets)
    timestamp, signatures = _parse(header)

    signed = str(timestamp).encode("ascii") + b"." + body
    expected = [hmac.new(key, signed, hashlib.sha256).hexdigest().encode("ascii") for key in keys]
    # Every pair is compared, in constant time, whatever matched first.
    matched = False
    for signature in signatures:
        for candidate in expected:
            matched |= hmac.compare_digest(signature, candidate)
    if not matched:
        raise WebhookVerificationError("signature", "No v1 signature matches the body and the given secret(s).")

    current = _unix(now)
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError(
            "stale", f"The signature's timestamp is {abs(current - timestamp):.0f} s from now (tolerance {tolerance:g} s).")

    try:
        event = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise WebhookVerificationError("malformed", "The body is not JSON.") from None
    if not isinstance(event, dict):
        raise WebhookVerificationError("malformed", "The body is not a JSON object.")
    return event


def sign_webhook(
    payload: Union[bytes, str], secrets: Union[Secret, Iterable[Secret]], timestamp: Optional[int] = None,
) -> str:
    """The ``Azora-Signature`` value Azora would send: for testing a receiver without the API."""
    body = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    t = int(time.time()) if timestamp is None else int(timestamp)
    signed = str(t).encode("ascii") + b"." + body
    return ",".join([f"t={t}"] + [f"v1={hmac.new(key, signed, hashlib.sha256).hexdigest()}" for key in _secrets(secrets)])


def _secrets(secrets: Union[Secret, Iterable[Secret]]) -> List[bytes]:
    items = [secrets] if isinstance(secrets, (str, bytes)) else list(secrets)
    keys = [s.encode("utf-8") if isinstance(s, str) else bytes(s) for s in items]
    if not keys or any(not k for k in keys):
        raise ValueError("Give at least one non-empty webhook secret.")
    return keys


def _parse(header: Optional[str]) -> Tuple[int, List[bytes]]:
    if not header or not header.strip():
        raise WebhookVerificationError("malformed", f"No {SIGNATURE_HEADER} header.")
    timestamps: List[str] = []
    signatures: List[bytes] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise WebhookVerificationError("malformed", f"{SIGNATURE_HEADER} has a part without '=': {part.strip()[:20]!r}.")
        if key == "t":
            timestamps.append(value.strip())
        elif key == "v1":
            value = value.strip()
            if not _HEX.match(value):
                raise WebhookVerificationError("malformed", f"{SIGNATURE_HEADER} has a v1 that is not 64 hex digits.")
            signatures.append(value.lower().encode("ascii"))
        # Other schemes (a future v2) are ignored, so adding one never breaks a receiver.
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not timestamps[0].isascii():
        raise WebhookVerificationError("malformed", f"{SIGNATURE_HEADER} needs exactly one t=<unix seconds>.")
    if not signatures:
        raise WebhookVerificationError("malformed", f"{SIGNATURE_HEADER} has no v1 signature.")
    return int(timestamps[0]), signatures


def _unix(now: Union[float, int, datetime, None]) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware (or Unix seconds).")
        return now.timestamp()
    return float(now)
