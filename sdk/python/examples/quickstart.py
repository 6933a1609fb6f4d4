"""Register, browse the catalog, enroll in a free course and complete a lesson."""
import os
import uuid

from azora_sdk import AzoraApiError, AzoraClient

API_URL = os.environ.get("AZORA_API_URL", "http://localhost:5080")

with AzoraClient(API_URL) as azora:
    # A new learner account; register signs in too (sign_in(email, password) for an existing one).
    azora.register(email=f"ada-{uuid.uuid4().hex[:8]}@example.com", password=f"lantern-{uuid.uuid4().hex}", name="Ada")

    for category in azora.list_categories().data:
        print(f"{category.name}: {category.course_count} courses")

    # paginate walks every page; keyword arguments are the list's filters.
    free = list(azora.paginate(azora.list_courses, free=True, sort="title"))
    print(f"{len(free)} free courses, first: {free[0].title}")

    course = azora.get_course(free[0].slug)  # an id or a slug
    enrollment = azora.enroll(course.course.id)
    first_lesson = course.lessons[0]
    progress = azora.complete_lesson(course.course.id, first_lesson.id).progress
    print(f"enrolled ({enrollment.status}); {progress.completed_lessons}/{progress.total_lessons} lessons done")

    # Every error is an AzoraApiError with the problem's stable code.
    paid = next(azora.paginate(azora.list_courses, free=False))
    try:
        azora.enroll(paid.id)
    except AzoraApiError as error:
        assert error.code == "PAYMENT_REQUIRED", error
        try:
            intent = azora.create_payment_intent(course_id=paid.id)  # an Idempotency-Key is generated
            print(f"{paid.title} costs {intent.amount} {intent.currency}: confirm {intent.payment_intent_id} with Stripe.js")
        except AzoraApiError as unverified:
            # A new account pays once its email is verified: verify_email(token=...) with the link's token from its mail.
            assert unverified.code == "EMAIL_NOT_VERIFIED", unverified
            print(f"{paid.title} costs {paid.price.amount} {paid.price.currency}: verify the email first")

    azora.sign_out()
