using Azora.Client.Generated.Models;

namespace Azora.Web.Components.Learning;

/// <summary>What a course's outline says about the viewer: the API marks each lesson done or not only for a learner enrolled in it.</summary>
public static class CourseProgress
{
    public static IReadOnlyList<LessonOutline> Outline(CourseDetail detail) =>
        [.. (detail.Lessons ?? []).Where(lesson => lesson.Id is not null).OrderBy(lesson => lesson.Position ?? int.MaxValue)];

    public static bool IsEnrolled(CourseDetail detail) => (detail.Lessons ?? []).Any(lesson => lesson.Completed is not null);

    /// <summary>Where to pick the course up: its first lesson not yet done, or its first lesson.</summary>
    public static LessonOutline? Resume(CourseDetail detail)
    {
        var outline = Outline(detail);
        return outline.FirstOrDefault(lesson => lesson.Completed == false) ?? outline.FirstOrDefault();
    }

    public static string LessonUrl(string slug, LessonOutline lesson) => $"/learn/{Uri.EscapeDataString(slug)}/{lesson.Id}";

    public static string SignInUrl(string returnUrl) => $"/sign-in?returnUrl={Uri.EscapeDataString(returnUrl)}";

    public static string Duration(int? seconds) => seconds is > 0 and var total
        ? total >= 3600 ? $"{total / 3600} h {total % 3600 / 60} min" : $"{Math.Max(1, (int)Math.Round(total / 60.0))} min"
        : "";
}
