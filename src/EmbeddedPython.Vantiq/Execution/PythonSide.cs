namespace EmbeddedPython.Vantiq.Execution;

/// <summary>The two entry points into <c>embedded_python_vantiq</c> (shipped under python-stdlib/), run as
/// named (so compiled once) host requests. Each passes the core's request id and streaming hook, which the
/// bootstrap sees as its own <c>connector_context</c> / <c>connector_connection</c>, to the module.</summary>
internal static class PythonSide
{
    public const string ConfigureName = "embedded_python_vantiq.configure";
    public const string ConfigureCode =
        "import embedded_python_vantiq as _v\n"
        + "_v.configure(_vq_id, _vq_source, _vq_config, _vq_server_config, _vq_reply, _vq_notify, _vq_health, _vq_close)\n";

    public const string ForgetName = "embedded_python_vantiq.forget";
    public const string ForgetCode = "import embedded_python_vantiq as _v\n_v.forget(_vq_id)\n";

    // Awaited, so the query runs as a task on the interpreter's running loop, as in the original connector:
    // asyncio.get_event_loop() is that loop, asyncio.run() and run_until_complete() refuse to run inside it,
    // and an interrupt (the query's time limit) reaches the code.
    public const string RunName = "embedded_python_vantiq.run_query";
    public const string RunCode =
        "import embedded_python_vantiq as _v\n"
        + "await _v.run_query(connector_connection, connector_context, _vq_args)\n";

    /// <summary>A request that does nothing: once it ran, callbacks the loop had already scheduled have run too.</summary>
    public const string BarrierName = "embedded_python_vantiq.barrier";
    public const string BarrierCode = "pass\n";

    /// <summary>What the host request of a query ends with: done (its final frame went out through the
    /// reply callback), or a request for a document (its metadata, then its content).</summary>
    public const int Done = 0, NeedDocument = 1, NeedContent = 2;
}
