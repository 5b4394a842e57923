namespace EmbeddedPython.EKuiper.Protocol.Nng;

/// <summary>The scalability protocols eKuiper's channels use (spec §2).</summary>
public enum NngProtocol
{
    /// <summary>Request (plugin side of the control and function channels).</summary>
    Req,
    /// <summary>Reply (eKuiper side of the control and function channels).</summary>
    Rep,
    /// <summary>Push (source data and sink acks from the plugin; sink data from eKuiper).</summary>
    Push,
    /// <summary>Pull (the receiving end of a push).</summary>
    Pull,
}
