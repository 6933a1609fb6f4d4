"""The Azora API for Python: ``AzoraClient`` (sync) and ``AsyncAzoraClient`` (asyncio), built on httpx.

    from azora_sdk import AzoraClient

    with AzoraClient("https://api.azora.world") as azora:
        azora.sign_in("ada@example.com", "a-lantern-by-the-river-2026")
        for course in azora.paginate(azora.list_courses, category="programming"):
            print(course.title)

Errors raise ``AzoraApiError``; incoming webhooks are checked with ``verify_webhook``.
"""
from ._client import AsyncAzoraClient, AzoraClient, Session
from ._generated import models
from ._generated.models import *  # noqa: F401,F403  (the typed models, re-exported)
from ._generated.models import __all__ as _models
from ._version import __version__
from .errors import AzoraApiError, AzoraError, WebhookVerificationError
from .webhooks import SIGNATURE_HEADER, sign_webhook, verify_webhook

__all__ = [
    "AzoraClient",
    "AsyncAzoraClient",
    "Session",
    "AzoraApiError",
    "AzoraError",
    "WebhookVerificationError",
    "verify_webhook",
    "sign_webhook",
    "SIGNATURE_HEADER",
    "models",
    "__version__",
    *_models,
]
