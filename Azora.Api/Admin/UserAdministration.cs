using Azora.Api.Auth;
using Azora.Api.Auth.Accounts;
using Azora.Api.Auth.Tokens;
using Azora.Api.Common;
using Azora.Contract.Events;
using Dapper;
using Npgsql;

namespace Azora.Api.Admin;

public enum AdminChange { Changed, Unchanged, NotFound, LastAdmin }

public sealed record UserFilter(string? Query, string? Role);

/// <summary>
/// Finding users, changing their roles, disabling and enabling them. Each change, its audit row and its outbox event
/// share one transaction. A change of roles or a disable closes every session of the user in that transaction and then
/// pushes their revocation to every replica (<see cref="TokenRevocations"/>), so the user's live access tokens stop
/// working at once and nothing keeps stale roles: the user signs in again and the new token carries the new roles.
/// </summary>
public sealed class UserAdministration(
    NpgsqlDataSource database, AdminAudit audit, OutboxWriter outbox, TokenRevocations revocations, TimeProvider time)
{
    public static readonly string[] AssignableRoles = [Roles.Instructor, Roles.Admin];
    public static readonly string[] AllRoles = Roles.All;

    private const string Columns = "id AS Id, email AS Email, name AS Name, roles AS Roles, disabled_at AS DisabledAt, created_at AS CreatedAt";

    public async Task<PagedResponse<AdminUserResponse>> ListAsync(UserFilter filter, PageRequest page, CancellationToken cancellationToken)
    {
        const string where =
            """
            WHERE (@pattern::text IS NULL OR email ILIKE @pattern ESCAPE '\' OR name ILIKE @pattern ESCAPE '\')
              AND (@role::text IS NULL OR @role = ANY (roles))
            """;
        var parameters = new
        {
            pattern = string.IsNullOrEmpty(filter.Query) ? null : LikePatterns.Containing(filter.Query),
            role = filter.Role,
            limit = page.Limit,
            offset = page.Offset,
        };
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM users {where}", parameters, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM users {where} ORDER BY created_at, id LIMIT @limit OFFSET @offset", parameters, cancellationToken: cancellationToken));
        return PagedResponse<AdminUserResponse>.Create(rows.Select(row => row.ToResponse()).ToList(), page, total);
    }

    public async Task<AdminUserResponse?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToResponse();
    }

    /// <summary>Sets the user's roles to <paramref name="roles"/> plus <c>learner</c>, which every account keeps.</summary>
    public Task<(AdminChange, AdminUserResponse?)> SetRolesAsync(Guid id, IEnumerable<string> roles, AdminActor actor, CancellationToken cancellationToken)
    {
        var wanted = AllRoles.Where(role => role == Roles.Learner || roles.Contains(role)).ToArray();
        return ChangeAsync(id, cancellationToken, async (user, transaction, now) =>
        {
            if (user.Roles.Order().SequenceEqual(wanted.Order()))
            {
                return null;
            }

            await transaction.Connection!.ExecuteAsync(new CommandDefinition(
                "UPDATE users SET roles = @wanted, updated_at = @now WHERE id = @id", new { id, wanted, now }, transaction, cancellationToken: cancellationToken));
            await audit.AppendAsync(transaction, actor, AzoraEvents.UserRolesChanged.Name, id, new { roles = user.Roles }, new { roles = wanted }, cancellationToken);
            await outbox.AppendAsync(
                transaction, AzoraEvents.UserRolesChanged, new UserRolesChange(id, wanted, user.Roles, actor.Id), cancellationToken);
            return new Row { Id = user.Id, Email = user.Email, Name = user.Name, Roles = wanted, DisabledAt = user.DisabledAt, CreatedAt = user.CreatedAt };
        }, removesAdmin: user => user.IsActiveAdmin && !wanted.Contains(Roles.Admin));
    }

    public Task<(AdminChange, AdminUserResponse?)> DisableAsync(Guid id, AdminActor actor, CancellationToken cancellationToken) =>
        ChangeAsync(id, cancellationToken, async (user, transaction, now) =>
        {
            if (user.DisabledAt is not null)
            {
                return null;
            }

            await transaction.Connection!.ExecuteAsync(new CommandDefinition(
                "UPDATE users SET disabled_at = @now, updated_at = @now WHERE id = @id", new { id, now }, transaction, cancellationToken: cancellationToken));
            await audit.AppendAsync(transaction, actor, AzoraEvents.UserDisabled.Name, id, new { disabledAt = (DateTime?)null }, new { disabledAt = now }, cancellationToken);
            await outbox.AppendAsync(transaction, AzoraEvents.UserDisabled, new UserDisabling(id, actor.Id), cancellationToken);
            return user with { DisabledAt = now };
        }, removesAdmin: user => user.IsActiveAdmin);

    public Task<(AdminChange, AdminUserResponse?)> EnableAsync(Guid id, AdminActor actor, CancellationToken cancellationToken) =>
        ChangeAsync(id, cancellationToken, async (user, transaction, now) =>
        {
            if (user.DisabledAt is null)
            {
                return null;
            }

            await transaction.Connection!.ExecuteAsync(new CommandDefinition(
                "UPDATE users SET disabled_at = NULL, updated_at = @now WHERE id = @id", new { id, now }, transaction, cancellationToken: cancellationToken));
            await audit.AppendAsync(transaction, actor, "user.enabled", id, new { disabledAt = user.DisabledAt }, new { disabledAt = (DateTime?)null }, cancellationToken);
            return user with { DisabledAt = null };
        }, removesAdmin: _ => false);

    /// <summary>
    /// Locks the active admins, then the user, so two admins demoting each other at once cannot leave nobody: the second
    /// waits for the first and then sees one admin fewer. <paramref name="apply"/> returns null when nothing changes.
    /// </summary>
    private async Task<(AdminChange, AdminUserResponse?)> ChangeAsync(
        Guid id, CancellationToken cancellationToken, Func<Row, NpgsqlTransaction, DateTime, Task<Row?>> apply, Func<Row, bool> removesAdmin)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var admins = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM users WHERE 'admin' = ANY (roles) AND disabled_at IS NULL ORDER BY id FOR UPDATE",
            transaction: transaction, cancellationToken: cancellationToken))).AsList();
        var user = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            // A deleted account is history kept for accounting: listed, but nothing about it changes any more.
            $"SELECT {Columns} FROM users WHERE id = @id AND deleted_at IS NULL FOR UPDATE", new { id }, transaction, cancellationToken: cancellationToken));
        if (user is null)
        {
            return (AdminChange.NotFound, null);
        }

        if (removesAdmin(user) && admins.Count <= 1)
        {
            return (AdminChange.LastAdmin, user.ToResponse());
        }

        var changed = await apply(user, transaction, now);
        if (changed is null)
        {
            return (AdminChange.Unchanged, user.ToResponse());
        }

        var closed = changed.Roles.SequenceEqual(user.Roles) && changed.DisabledAt is null
            ? []
            : await AccountStore.RevokeAllSessionsAsync(transaction, id, changed.DisabledAt is null ? "roles_changed" : "disabled", now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await revocations.RevokeSessionsAsync(closed);
        return (AdminChange.Changed, changed.ToResponse());
    }

    private sealed record Row
    {
        public Guid Id { get; init; }
        public string Email { get; init; } = "";
        public string Name { get; init; } = "";
        public string[] Roles { get; init; } = [];
        public DateTime? DisabledAt { get; init; }
        public DateTime CreatedAt { get; init; }

        public bool IsActiveAdmin => DisabledAt is null && Roles.Contains(Auth.Roles.Admin);

        public AdminUserResponse ToResponse() =>
            new(Id, Email, Name, Roles, DisabledAt is not null, DisabledAt?.AsUtcOffset(), CreatedAt.AsUtcOffset());
    }
}
