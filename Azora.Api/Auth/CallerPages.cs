using System.Security.Claims;
using Azora.Api.Common;
using Azora.Api.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Auth;

/// <summary>
/// The handler of a "my …" list: reads <c>?page&amp;limit</c> (a 400 naming the field when wrong) and pages the signed-in
/// caller's own rows.
/// </summary>
public static class CallerPages
{
    public static async Task<Results<Ok<PagedResponse<T>>, ValidationProblem>> ListAsync<T>(
        ClaimsPrincipal user, string? page, string? limit, Func<Guid, PageRequest, Task<PagedResponse<T>>> list)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = PageRequest.Parse(page, limit, errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        return TypedResults.Ok(await list(CurrentUser.UserIdOf(user)!.Value, paging!));
    }
}
