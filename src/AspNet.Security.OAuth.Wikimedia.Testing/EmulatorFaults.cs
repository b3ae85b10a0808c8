namespace AspNet.Security.OAuth.Wikimedia.Testing;

/// <summary>
/// The faults injected into a <see cref="WikimediaEmulator"/>'s endpoints. Thread-safe.
/// </summary>
public sealed class EmulatorFaults
{
    private readonly Lock _gate = new();
    private readonly List<(EmulatorEndpoint Endpoint, EmulatorFault Fault)> _faults = [];

    /// <summary>Adds a fault to an endpoint; the first matching fault added applies.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="fault">The fault.</param>
    /// <returns>This instance.</returns>
    public EmulatorFaults Add(EmulatorEndpoint endpoint, EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_gate)
        {
            _faults.Add((endpoint, fault));
        }

        return this;
    }

    /// <summary>Removes every fault.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    /// <summary>Finds the fault that applies to a request and counts it as used.</summary>
    internal EmulatorFault? Take(EmulatorEndpoint endpoint, EmulatorRequest request)
    {
        lock (_gate)
        {
            foreach (var (candidateEndpoint, fault) in _faults)
            {
                if (candidateEndpoint != endpoint || fault.Times <= 0 || (fault.When is not null && !fault.When(request)))
                {
                    continue;
                }

                if (fault.Times is not null)
                {
                    fault.Times--;
                }

                return fault;
            }

            return null;
        }
    }
}
