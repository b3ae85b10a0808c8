using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

/// <summary>
/// A backchannel handler that, once armed, holds the next token request until released, so that a test can act
/// while a refresh is in flight (no sleeps: the test waits on <see cref="Entered"/>).
/// </summary>
internal sealed class GateHandler : DelegatingHandler
{
    private int _armed;

    public GateHandler() => InnerHandler = new SocketsHttpHandler();

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when the held request's answer came back from the server.</summary>
    public TaskCompletionSource Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Arm() => Volatile.Write(ref _armed, 1);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri!.AbsolutePath.EndsWith("/oauth2/access_token", StringComparison.Ordinal) && Interlocked.Exchange(ref _armed, 0) == 1)
        {
            Entered.TrySetResult();
            await Release.Task;
            var response = await base.SendAsync(request, cancellationToken);
            Answered.TrySetResult();
            return response;
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Signals when a request that its client aborted (the browser navigated away) has ended at the server.</summary>
internal sealed class AbortWatcher : IStartupFilter
{
    public TaskCompletionSource Aborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (HttpContext context, RequestDelegate nextMiddleware) =>
        {
            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                // Checked once the request ended: a registration could be removed before its callback ran, when the
                // abort unwinds the request synchronously.
                if (context.RequestAborted.IsCancellationRequested)
                {
                    Aborted.TrySetResult();
                }
            }
        });
        next(app);
    };
}
