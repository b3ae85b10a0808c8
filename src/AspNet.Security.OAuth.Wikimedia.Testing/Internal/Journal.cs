using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Runtime.CompilerServices;
using WireMock;
using WireMock.Logging;
using WireMock.Server;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>
/// The emulator's journal. WireMock's request log is the record: it keeps every request it answered, the limit is its
/// <c>MaxRequestLogCount</c>. WireMock logs a request only once the answer is ready, though, and a fault's delay can
/// hold one for seconds while a test waits for it to arrive; so the requests still being answered are added from here.
/// </summary>
internal sealed class Journal
{
    private readonly WireMockServer _server;
    private readonly ConcurrentDictionary<IRequestMessage, byte> _inFlight = new(ReferenceEqualityComparer.Instance);
    private readonly ConditionalWeakTable<IRequestMessage, EmulatorRequest> _read = new();

    // Requests that were still being answered when the journal was cleared: WireMock logs them afterwards.
    private readonly ConditionalWeakTable<IRequestMessage, object> _forgotten = new();

    public Journal(WireMockServer server)
    {
        _server = server;
        server.LogEntriesChanged += (sender, change) =>
        {
            if (change.Action == NotifyCollectionChangedAction.Add && change.NewItems is { } logged)
            {
                foreach (var message in logged.OfType<ILogEntry>().Select(e => e.RequestMessage).OfType<IRequestMessage>())
                {
                    _inFlight.TryRemove(message, out _);
                }
            }
        };
    }

    /// <summary>Records a request as it arrives, and reads it.</summary>
    public EmulatorRequest Arrived(IRequestMessage message)
    {
        _inFlight.TryAdd(message, 0);
        return Read(message);
    }

    /// <summary>Forgets a request that WireMock will not log (its log is switched off: <c>MaxJournalEntries</c> &lt;= 0).</summary>
    public void Unlogged(IRequestMessage message) => _inFlight.TryRemove(message, out _);

    /// <summary>Gets the requests received, in the order they arrived: those WireMock logged and those still being answered.</summary>
    public IReadOnlyList<EmulatorRequest> Snapshot()
    {
        // In-flight first: a request answered in between is then in the log, and no request is missed.
        var inFlight = _inFlight.Keys.ToList();
        var answered = _server.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>().ToList();
        var logged = new HashSet<IRequestMessage>(answered, ReferenceEqualityComparer.Instance);
        return answered
            .Concat(inFlight.Where(m => !logged.Contains(m)))
            .Where(m => !_forgotten.TryGetValue(m, out _))
            .OrderBy(m => m.DateTime)
            .Select(Read)
            .ToArray();
    }

    /// <summary>Forgets every request received so far.</summary>
    public void Clear()
    {
        foreach (var message in _inFlight.Keys)
        {
            _forgotten.AddOrUpdate(message, message);
            _inFlight.TryRemove(message, out _);
        }

        _server.ResetLogEntries();
    }

    private EmulatorRequest Read(IRequestMessage message) => _read.GetValue(message, Http.Read);
}
