using Azora.Client.Generated.Models;

namespace Azora.Client;

public sealed partial class AzoraClient
{
    /// <summary>The six categories with their published course counts (operation <c>ListCategories</c>).</summary>
    public async Task<IReadOnlyList<CategoryResponse>> ListCategoriesAsync(CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Education.Categories.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Data ?? [];

    /// <summary>One page of the catalog (operation <c>ListCourses</c>): <paramref name="limit"/> from 1 to 100.</summary>
    public Task<AzoraPage<CourseSummary>> ListCoursesAsync(CourseFilter? filter = null, int page = 1, int limit = 20, CancellationToken cancellationToken = default) =>
        PageAsync(
            Api.Api.Education.Courses.ToGetRequestInformation(), (filter ?? new()).Query(), page, limit,
            PagedResponseOfCourseSummary.CreateFromDiscriminatorValue, answer => answer.Data, answer => answer.Pagination, cancellationToken);

    /// <summary>Every course of the catalog that <paramref name="filter"/> keeps, fetched page by page as you go.</summary>
    public IAsyncEnumerable<CourseSummary> ListAllCoursesAsync(CourseFilter? filter = null, int pageSize = 100, CancellationToken cancellationToken = default) =>
        EveryItemAsync((page, token) => ListCoursesAsync(filter, page, pageSize, token), cancellationToken);

    /// <summary>One course by id or slug, with its lesson outline (operation <c>GetCourse</c>); <c>404 NOT_FOUND</c>
    /// for a course you may not see.</summary>
    public async Task<CourseDetail> GetCourseAsync(string idOrSlug, CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Education.Courses[idOrSlug].GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>Enrolls the signed-in learner in a free course (operation <c>Enroll</c>); again is harmless and
    /// returns the same enrollment. A paid course is <c>402 PAYMENT_REQUIRED</c>: see <see cref="CreatePaymentIntentAsync"/>.</summary>
    public async Task<EnrollmentResponse> EnrollAsync(Guid courseId, CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Education.Courses[courseId.ToString()].Enroll.PostAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>One page of my enrollments, newest first (operation <c>ListEnrollments</c>).</summary>
    public Task<AzoraPage<EnrollmentResponse>> ListEnrollmentsAsync(int page = 1, int limit = 20, CancellationToken cancellationToken = default) =>
        PageAsync(
            Api.Api.Education.Enrollments.ToGetRequestInformation(), [], page, limit,
            PagedResponseOfEnrollmentResponse.CreateFromDiscriminatorValue, answer => answer.Data, answer => answer.Pagination, cancellationToken);

    /// <summary>Every one of my enrollments.</summary>
    public IAsyncEnumerable<EnrollmentResponse> ListAllEnrollmentsAsync(int pageSize = 100, CancellationToken cancellationToken = default) =>
        EveryItemAsync((page, token) => ListEnrollmentsAsync(page, pageSize, token), cancellationToken);

    /// <summary>A lesson's content (operation <c>GetLesson</c>). Its Markdown is the author's, unsanitised: render it
    /// with raw HTML disabled.</summary>
    public async Task<LessonContentResponse> GetLessonAsync(Guid courseId, Guid lessonId, CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Education.Courses[courseId.ToString()].Lessons[lessonId].GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>Marks a lesson done and returns the enrollment with its progress (operation <c>CompleteLesson</c>);
    /// the last lesson completes the course and issues its certificate.</summary>
    public async Task<EnrollmentResponse> CompleteLessonAsync(Guid courseId, Guid lessonId, CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Education.Courses[courseId.ToString()].Lessons[lessonId].Complete.PostAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>One page of my certificates (operation <c>ListCertificates</c>).</summary>
    public Task<AzoraPage<CertificateResponse>> ListCertificatesAsync(int page = 1, int limit = 20, CancellationToken cancellationToken = default) =>
        PageAsync(
            Api.Api.Education.Certificates.ToGetRequestInformation(), [], page, limit,
            PagedResponseOfCertificateResponse.CreateFromDiscriminatorValue, answer => answer.Data, answer => answer.Pagination, cancellationToken);
}
