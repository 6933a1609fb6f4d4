"""The async client: every course with async for, then several details fetched at once."""
import asyncio
import os

from azora_sdk import AsyncAzoraClient

API_URL = os.environ.get("AZORA_API_URL", "http://localhost:5080")


async def main() -> None:
    async with AsyncAzoraClient(API_URL) as azora:
        courses = [course async for course in azora.paginate(azora.list_courses, sort="popular")]
        details = await asyncio.gather(*(azora.get_course(course.id) for course in courses[:3]))
        for detail in details:
            minutes = sum(lesson.duration_seconds for lesson in detail.lessons) // 60
            print(f"{detail.course.title}: {len(detail.lessons)} lessons, {minutes} min")
        print(f"{len(courses)} courses in the catalog")


asyncio.run(main())
