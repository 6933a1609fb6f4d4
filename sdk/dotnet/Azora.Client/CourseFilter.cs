namespace Azora.Client;

/// <summary>The catalog's filters and order (operation <c>ListCourses</c>); every one is optional.</summary>
public sealed record CourseFilter
{
    /// <summary>A category slug, such as <c>programming</c> or <c>data-science</c>.</summary>
    public string? Category { get; init; }

    /// <summary><c>beginner</c>, <c>intermediate</c> or <c>advanced</c>.</summary>
    public string? Level { get; init; }

    /// <summary>Words to find in titles and descriptions, in any order (at most 100 characters).</summary>
    public string? Search { get; init; }

    /// <summary>Only free courses (true) or only paid ones (false).</summary>
    public bool? Free { get; init; }

    /// <summary>Only this instructor's courses.</summary>
    public Guid? InstructorId { get; init; }

    /// <summary><c>newest</c> (the default), <c>oldest</c>, <c>title</c>, <c>price</c>, <c>-price</c> or <c>popular</c>.</summary>
    public string? Sort { get; init; }

    internal IEnumerable<KeyValuePair<string, object?>> Query() =>
    [
        new("category", Category),
        new("level", Level),
        new("q", Search),
        new("free", Free switch { true => "true", false => "false", null => null }),
        new("instructorId", InstructorId?.ToString()),
        new("sort", Sort),
    ];
}
