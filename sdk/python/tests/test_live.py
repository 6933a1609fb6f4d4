"""The sync client against a running API (AZORA_API_URL): a fresh account per test, nothing mocked."""
import dataclasses
import uuid

import httpx
import pytest

from azora_sdk import AzoraApiError, AzoraClient, CourseDetail, CourseSummary
from conftest import API_URL, BUYER_EMAIL, BUYER_PASSWORD, live, new_password, unique_email

pytestmark = live


@pytest.fixture
def account():
    email, password = unique_email(), new_password()
    with AzoraClient(API_URL) as client:
        client.register(email=email, password=password, name="Python SDK")
        yield client, email, password
        client.sign_out()


def catalog(client, **filters):
    return list(client.paginate(client.list_courses, **filters))


def test_register_then_sign_in_from_another_client(account):
    client, email, password = account
    assert client.session is not None
    assert client.get_profile().email == email

    with AzoraClient(API_URL) as other:
        tokens = other.sign_in(email, password)
        assert tokens.user.email == email and tokens.expires_in > 0 and tokens.token_type == "Bearer"
        assert other.session is not None and other.session.user_id == str(tokens.user.id)
        assert other.get_profile().id == tokens.user.id
        other.sign_out()
        assert other.session is None


def test_wrong_credentials_raise_invalid_credentials():
    with AzoraClient(API_URL) as client:
        with pytest.raises(AzoraApiError) as caught:
            client.sign_in(unique_email(), new_password())
    assert (caught.value.status, caught.value.code) == (401, "INVALID_CREDENTIALS")
    assert caught.value.trace_id


def test_the_catalog_lists_paginates_and_gets_one_course():
    with AzoraClient(API_URL) as client:
        first = client.list_courses(limit=5)
        assert first.pagination.page == 1 and first.pagination.limit == 5
        total = first.pagination.total
        assert total > 7, "the sample catalog should span several pages of 7"

        every = catalog(client, limit=7)
        assert len(every) == total
        assert len({course.id for course in every}) == total
        assert all(isinstance(course, CourseSummary) for course in every)

        free = catalog(client, free=True)
        assert free and all(course.is_free for course in free)

        course = every[0]
        by_id = client.get_course(course.id)
        by_slug = client.get_course(course.slug)
        assert isinstance(by_id, CourseDetail)
        assert by_id.course.id == by_slug.course.id == course.id
        assert by_id.course.title == course.title and by_id.course.created_at.tzinfo is not None
        assert len(by_id.lessons) == by_id.course.lesson_count
        assert [lesson.position for lesson in by_id.lessons] == sorted(lesson.position for lesson in by_id.lessons)

        categories = client.list_categories().data
        assert {c.slug for c in categories} >= {course.category.slug for course in every}


def test_enrolling_in_a_free_course_and_completing_a_lesson(account):
    client, _, _ = account
    course = catalog(client, free=True)[0]
    enrollment = client.enroll(course.id)
    assert enrollment.course.id == course.id and enrollment.status == "active"
    assert enrollment.progress.completed_lessons == 0
    assert client.enroll(course.id).id == enrollment.id  # again: the same enrollment

    mine = list(client.paginate(client.list_enrollments))
    assert [e.id for e in mine] == [enrollment.id]

    detail = client.get_course(course.id)
    lesson = next(lesson for lesson in detail.lessons if not lesson.preview)
    # An enrolled learner reads a lesson that is not a preview: the client sent the access token.
    content = client.get_lesson(course.id, lesson.id)
    assert content.id == lesson.id and content.completed is False

    progress = client.complete_lesson(course.id, lesson.id).progress
    assert progress.completed_lessons == 1 and progress.total_lessons == len(detail.lessons)
    assert client.get_course(course.id).lessons[detail.lessons.index(lesson)].completed is True


def test_the_profile_reads_and_changes(account):
    client, email, _ = account
    profile = client.get_profile()
    assert profile.email == email and profile.bio is None and "learner" in profile.roles
    changed = client.update_profile(bio="Writes Python.")
    assert changed.bio == "Writes Python." and changed.name == profile.name
    assert client.get_profile().bio == "Writes Python."


def test_validation_errors_carry_their_fields():
    with AzoraClient(API_URL) as client:
        with pytest.raises(AzoraApiError) as caught:
            client.register(email="not-an-email", password="short", name="")
        error = caught.value
        assert (error.status, error.code) == (400, "VALIDATION_ERROR")
        assert {"email", "password", "name"} <= set(error.errors)
        assert all(isinstance(m, str) and m for messages in error.errors.values() for m in messages)
        assert error.title and error.trace_id and error.instance == "/api/auth/register"

        with pytest.raises(AzoraApiError) as paging:
            client.list_courses(limit=0)
        assert paging.value.code == "VALIDATION_ERROR" and list(paging.value.errors) == ["limit"]

        with pytest.raises(AzoraApiError) as missing:
            client.get_course(uuid.uuid4())
        assert (missing.value.status, missing.value.code) == (404, "NOT_FOUND")


def test_a_paid_course_takes_a_payment_intent(account):
    fresh, _, _ = account
    paid = catalog(fresh, free=False)[:2]
    with pytest.raises(AzoraApiError) as caught:
        fresh.enroll(paid[0].id)
    assert (caught.value.status, caught.value.code) == (402, "PAYMENT_REQUIRED")
    with pytest.raises(AzoraApiError) as unverified:
        fresh.create_payment_intent(course_id=paid[0].id)
    assert (unverified.value.status, unverified.value.code) == (403, "EMAIL_NOT_VERIFIED")
    assert fresh.get_profile().email_verified is False

    client = AzoraClient(API_URL)
    client.sign_in(BUYER_EMAIL, BUYER_PASSWORD)
    intent = client.create_payment_intent(course_id=paid[0].id)
    assert intent.status == "pending" and intent.amount == paid[0].price.amount
    assert intent.currency == paid[0].price.currency and intent.client_secret

    # The same key for the same course answers with what it made; for another course it is refused.
    key = str(uuid.uuid4())
    first = client.create_payment_intent(course_id=paid[1].id, idempotency_key=key)
    assert first.payment_id != intent.payment_id
    assert client.create_payment_intent(course_id=paid[1].id, idempotency_key=key).payment_id == first.payment_id
    with pytest.raises(AzoraApiError) as reused:
        client.create_payment_intent(course_id=paid[0].id, idempotency_key=key)
    assert (reused.value.status, reused.value.code) == (422, "IDEMPOTENCY_KEY_REUSED")

    payments = list(client.paginate(client.list_payments))
    assert intent.payment_id in {p.id for p in payments}
    assert client.get_payment(intent.payment_id).status == "pending"
    client.close()


def test_the_session_is_refreshed_before_expiry_and_after_a_401(account):
    client, _, _ = account
    before = client.session
    assert before is not None

    # As if the access token were a minute from expiry: the next call refreshes first.
    client._core.session = dataclasses.replace(before, refresh_due=0.0)
    client.get_profile()
    after = client.session
    assert after is not None and after.refresh_token != before.refresh_token and after.access_token != before.access_token

    # An access token the API refuses: one refresh, then the call goes through.
    client._core.session = dataclasses.replace(after, access_token=after.access_token[:-4] + "AAAA")
    assert client.get_profile().email
    renewed = client.session
    assert renewed is not None and renewed.refresh_token != after.refresh_token

    # Someone replays a spent refresh token: the API closes the session, and the client's next refresh is refused.
    with httpx.Client(base_url=API_URL) as raw:
        assert raw.post("/api/auth/refresh", json={"refreshToken": before.refresh_token}).status_code == 401
    client._core.session = dataclasses.replace(renewed, refresh_due=0.0)
    with pytest.raises(AzoraApiError) as caught:
        client.get_profile()
    assert (caught.value.status, caught.value.code) == (401, "INVALID_REFRESH_TOKEN")
    assert client.session is None


def test_sign_out_ends_the_session_on_the_server(account):
    client, _, _ = account
    token = client.session.access_token
    client.sign_out()
    assert client.session is None
    with httpx.Client(base_url=API_URL) as raw:
        assert raw.get("/api/auth/profile", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with pytest.raises(AzoraApiError) as caught:
        client.get_profile()
    assert caught.value.code == "UNAUTHORIZED"
