"""AsyncAzoraClient against a running API (AZORA_API_URL)."""
import asyncio
import dataclasses
import uuid

import pytest

from azora_sdk import AsyncAzoraClient, AzoraApiError
from conftest import API_URL, live, new_password, unique_email

pytestmark = live


def run(coroutine):
    return asyncio.run(coroutine)


def test_register_browse_enroll_and_sign_out():
    async def scenario():
        email, password = unique_email(), new_password()
        async with AsyncAzoraClient(API_URL) as client:
            await client.register(email=email, password=password, name="Python SDK async")
            assert (await client.get_profile()).email == email

            courses = [course async for course in client.paginate(client.list_courses, limit=7)]
            first = await client.list_courses(limit=1)
            assert len(courses) == first.pagination.total and len({c.id for c in courses}) == len(courses)

            # Several requests in flight on one client.
            details = await asyncio.gather(*(client.get_course(c.id) for c in courses[:5]))
            assert [d.course.id for d in details] == [c.id for c in courses[:5]]

            free = next(c for c in courses if c.is_free)
            enrollment = await client.enroll(free.id)
            assert enrollment.status == "active"
            assert [e.id async for e in client.paginate("ListEnrollments")] == [enrollment.id]

            with pytest.raises(AzoraApiError) as caught:
                await client.list_courses(limit=101)
            assert caught.value.code == "VALIDATION_ERROR" and "limit" in caught.value.errors

            token = client.session.access_token
            await client.sign_out()
            assert client.session is None
            # The old access token is refused now.
            async with AsyncAzoraClient(API_URL) as anonymous:
                with pytest.raises(AzoraApiError) as refused:
                    await anonymous.request("GET", "/api/auth/profile", headers={"Authorization": f"Bearer {token}"})
                assert refused.value.status == 401

        async with AsyncAzoraClient(API_URL) as again:
            tokens = await again.sign_in(email, password)
            assert tokens.user.email == email
            await again.sign_out()
    run(scenario())


def test_refresh_before_expiry_and_after_a_401():
    async def scenario():
        async with AsyncAzoraClient(API_URL) as client:
            await client.register(email=unique_email(), password=new_password(), name="Python SDK async")
            before = client.session
            client._core.session = dataclasses.replace(before, refresh_due=0.0)
            await client.get_profile()
            after = client.session
            assert after.refresh_token != before.refresh_token

            client._core.session = dataclasses.replace(after, access_token=after.access_token[:-4] + "AAAA")
            # Two calls at once meet the refused token: one refresh serves both.
            profiles = await asyncio.gather(client.get_profile(), client.get_profile())
            assert profiles[0].id == profiles[1].id
            assert client.session.refresh_token != after.refresh_token
            # The session is still good: a second parallel refresh with one token would have closed it.
            assert (await client.get_profile()).id == profiles[0].id
            await client.sign_out()
    run(scenario())


def test_errors_for_unknown_things():
    async def scenario():
        async with AsyncAzoraClient(API_URL) as client:
            with pytest.raises(AzoraApiError) as caught:
                await client.verify_certificate(uuid.uuid4())
            assert (caught.value.status, caught.value.code) == (404, "NOT_FOUND")
    run(scenario())
