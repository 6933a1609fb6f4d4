"""Shared test settings. The live tests need a running API: AZORA_API_URL=http://localhost:5080 (or the test stack's)."""
import os
import uuid

import pytest

API_URL = os.environ.get("AZORA_API_URL", "").rstrip("/")
# The Development stack's seeded admin (README); another environment passes its own.
ADMIN_EMAIL = os.environ.get("AZORA_ADMIN_EMAIL", "admin@azora.local")
ADMIN_PASSWORD = os.environ.get("AZORA_ADMIN_PASSWORD", "azora-development-only")
# Paying needs a verified email, which a fresh account gets only through the link in its mail (out of these tests'
# reach): a verified account, made by Azora.Tests/Sdk/PythonSdkTests.cs, else the Development stack's sample learner.
BUYER_EMAIL = os.environ.get("AZORA_BUYER_EMAIL", "learner@azora.local")
BUYER_PASSWORD = os.environ.get("AZORA_BUYER_PASSWORD", "azora-development-only")

live = pytest.mark.skipif(
    not API_URL,
    reason="AZORA_API_URL is not set: the live tests need a running Azora API, e.g. AZORA_API_URL=http://localhost:5080 "
           "with `dotnet run --project Azora.AppHost` (Azora.Tests/Sdk/PythonSdkTests.cs sets it to the test stack).")


def unique_email() -> str:
    return f"sdk-python-{uuid.uuid4().hex[:16]}@example.com"


def new_password() -> str:
    # Long and random, so it is in no list of leaked passwords.
    return f"python-sdk-{uuid.uuid4().hex}"
