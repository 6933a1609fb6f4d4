using Azora.Client.Generated.Models;
using Azora.Client.Http;
using Microsoft.Kiota.Abstractions;

namespace Azora.Client;

public sealed partial class AzoraClient
{
    /// <summary>
    /// Subscribes an https endpoint to events (operation <c>CreateWebhook</c>; instructors and admins, or an API
    /// key with <c>webhooks:manage</c>). The answer's <c>Secret</c> signs every delivery and is shown this once:
    /// store it for <see cref="AzoraWebhooks.Verify(string, string?, string, TimeSpan?, TimeProvider?)"/>.
    /// </summary>
    public async Task<WebhookResponse> CreateWebhookAsync(string url, IEnumerable<string> events, string? description = null, CancellationToken cancellationToken = default) =>
        Required(await SendAsync(
            Method.POST, "/api/webhooks", new JsonBody(("url", url), ("events", events), ("description", description)), WebhookResponse.CreateFromDiscriminatorValue,
            cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>My subscriptions, without their secrets (operation <c>ListWebhooks</c>).</summary>
    public async Task<IReadOnlyList<WebhookResponse>> ListWebhooksAsync(CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Webhooks.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>One of my subscriptions (operation <c>GetWebhook</c>).</summary>
    public async Task<WebhookResponse> GetWebhookAsync(Guid id, CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Webhooks[id].GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>Changes a subscription (operation <c>UpdateWebhook</c>); null arguments are left as they are, and
    /// <paramref name="active"/> true also turns on again a subscription the API disabled.</summary>
    public async Task<WebhookResponse> UpdateWebhookAsync(
        Guid id, string? url = null, IEnumerable<string>? events = null, string? description = null, bool? active = null, CancellationToken cancellationToken = default) =>
        Required(await SendAsync(
            Method.PATCH, $"/api/webhooks/{id}", new JsonBody(("url", url), ("events", events), ("description", description), ("active", active)),
            WebhookResponse.CreateFromDiscriminatorValue, cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>Deletes a subscription and its pending deliveries (operation <c>DeleteWebhook</c>).</summary>
    public Task DeleteWebhookAsync(Guid id, CancellationToken cancellationToken = default) =>
        Api.Api.Webhooks[id].DeleteAsync(cancellationToken: cancellationToken);

    /// <summary>A new signing secret (operation <c>RotateWebhookSecret</c>); deliveries are signed with the old one
    /// too until <c>PreviousSecretValidUntil</c>, so verify with both meanwhile.</summary>
    public async Task<RotatedSecretResponse> RotateWebhookSecretAsync(Guid id, CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Webhooks[id].RotateSecret.PostAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>Queues a signed <c>ping</c> event to this subscription only (operation <c>PingWebhook</c>).</summary>
    public async Task<DeliveryResponse> PingWebhookAsync(Guid id, CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Webhooks[id].Ping.PostAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>One page of a subscription's delivery log, newest first (operation <c>ListWebhookDeliveries</c>).</summary>
    public Task<AzoraPage<DeliveryResponse>> ListWebhookDeliveriesAsync(Guid id, int page = 1, int limit = 20, CancellationToken cancellationToken = default) =>
        PageAsync(
            Api.Api.Webhooks[id].Deliveries.ToGetRequestInformation(), [], page, limit,
            PagedResponseOfDeliveryResponse.CreateFromDiscriminatorValue, answer => answer.Data, answer => answer.Pagination, cancellationToken);
}
