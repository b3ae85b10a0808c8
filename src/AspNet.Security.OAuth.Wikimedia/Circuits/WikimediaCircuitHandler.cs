using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.Wikimedia.Circuits;

/// <summary>
/// Gives each interactive server circuit its Wikimedia session: captured from the request of the circuit's connection
/// (the cookie, already validated and refreshed by the authentication middleware), and made current for every inbound
/// activity of the circuit, so that <see cref="WikimediaBearerTokenHandler"/> finds it even in the
/// <c>IHttpClientFactory</c> handler scope, which is not the circuit's.
/// </summary>
internal sealed class WikimediaCircuitHandler(CircuitSession session, IHttpContextAccessor httpContextAccessor) : CircuitHandler
{
    /// <summary>Runs before the app's circuit handlers (lower orders run first), which may call APIs as the user.</summary>
    public override int Order => -1000;

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (httpContextAccessor.HttpContext is { } context)
        {
            session.Capture(context);
        }

        return Task.CompletedTask;
    }

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next)
        => async context =>
        {
            // Flows into everything the activity awaits (the component's handler, the HttpClient, its message
            // handlers); cleared when the activity ends, so that work which captured the context then (a singleton's
            // queue, a timer's later ticks) never sends this user's token, whoever it serves by then.
            var holder = session.Enter();
            try
            {
                await next(context);
            }
            finally
            {
                holder.Session = null;
            }
        };
}
