namespace EmbeddedPython.Tests.Execution;

[Collection(PythonCollection.Name)]
public sealed class StreamingTests(PythonFixture fixture)
{
    private readonly IPythonExecutor _python = fixture.Executor;

    private async Task<List<PythonMessage>> Collect(PythonRequest request)
    {
        var messages = new List<PythonMessage>();
        await foreach (var message in _python.StreamAsync(request))
            messages.Add(message);
        return messages;
    }

    [Fact]
    public async Task Emitted_values_arrive_in_order_and_the_last_is_final_under_concurrency()
    {
        var streams = await Task.WhenAll(Enumerable.Range(0, 20).Select(s => Collect(new PythonRequest
        {
            Code = "import asyncio, embedded_python\nfor i in range(50):\n    embedded_python.emit([s, i])\n    if i % 10 == 0:\n        await asyncio.sleep(0)\nembedded_python.complete('end')",
            PresetValues = new Dictionary<string, object?> { ["s"] = s },
        })));
        for (var s = 0; s < streams.Length; s++)
        {
            var messages = streams[s];
            Assert.Equal(51, messages.Count);
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(new List<object?> { (long)s, (long)i }, messages[i].Value);
                Assert.False(messages[i].IsFinal);
            }
            Assert.Equal(new PythonMessage("end", true), messages[50]);
        }
    }

    [Fact]
    public async Task Vantiq_style_send_query_response_streams_and_completes()
    {
        var messages = await Collect(new PythonRequest
        {
            Code = "connector_connection.send_query_response(connector_context, 100, {'row': 1})\nconnector_connection.send_query_response(connector_context, 200, {'row': 2})",
        });
        Assert.Equal(2, messages.Count);
        Assert.Equal(new Dictionary<string, object?> { ["row"] = 2L }, messages[1].Value);
        Assert.True(messages[1].IsFinal);
    }

    public static TheoryData<string, string> VantiqSends => new()
    {
        { "awaited from a task", "import asyncio\nasync def send():\n    await connector_connection.send_query_response(connector_context, 100, {'row': 1})\n    await connector_connection.send_query_response(connector_context, 200, {'row': 2})\nasyncio.get_event_loop().create_task(send())" },
        { "not awaited from a task", "import asyncio\nasync def send():\n    connector_connection.send_query_response(connector_context, 100, {'row': 1})\n    connector_connection.send_query_response(connector_context, 200, {'row': 2})\nasyncio.get_event_loop().create_task(send())" },
        { "awaited from the main code", "await connector_connection.send_query_response(connector_context, 100, {'row': 1})\nawait connector_connection.send_query_response(connector_context, 200, {'row': 2})" },
        { "both, from the main code", "connector_connection.send_query_response(connector_context, 100, {'row': 1})\nawait connector_connection.send_query_response(connector_context, 200, {'row': 2})" },
    };

    [Theory]
    [MemberData(nameof(VantiqSends))]
    public async Task Vantiq_style_sends_work_awaited_and_not_awaited_and_send_once(string how, string code)
    {
        var messages = await Collect(new PythonRequest { Code = code }).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(messages.Count == 2, $"{how}: {messages.Count} messages");
        Assert.False(messages[0].IsFinal);
        Assert.Equal(new Dictionary<string, object?> { ["row"] = 1L }, messages[0].Value);
        Assert.Equal(new Dictionary<string, object?> { ["row"] = 2L }, messages[1].Value);
        Assert.True(messages[1].IsFinal);
    }

    [Theory]
    [InlineData("import asyncio\nasync def fail():\n    await connector_connection.send_query_error(connector_context, 'went wrong')\nasyncio.get_event_loop().create_task(fail())")]
    [InlineData("await connector_connection.send_query_error(connector_context, 'went wrong')")]
    [InlineData("connector_connection.send_query_error(connector_context, 'went wrong')")]
    public async Task Vantiq_style_errors_work_awaited_and_not_awaited(string code)
    {
        var error = await Assert.ThrowsAsync<PythonFailedException>(() => Collect(new PythonRequest { Code = code }).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("went wrong", error.Message);
    }

    [Fact]
    public async Task ExecuteAsync_collects_the_messages_of_code_that_handles_its_return()
    {
        var result = await _python.ExecuteAsync(new PythonRequest { Code = "import embedded_python\nembedded_python.emit(1)\nembedded_python.emit(2)\nembedded_python.complete(3)", CodeHandlesReturn = true });
        Assert.Equal(new object?[] { 1L, 2L, 3L }, result.Messages);
    }

    [Fact]
    public async Task A_task_or_a_thread_can_complete_the_request_later()
    {
        var fromTask = await Collect(new PythonRequest { Code = "import asyncio, embedded_python\nasync def later():\n    await asyncio.sleep(0.05)\n    embedded_python.complete('task')\nasyncio.get_event_loop().create_task(later())" });
        Assert.Equal(new PythonMessage("task", true), Assert.Single(fromTask));
        var fromThread = await Collect(new PythonRequest { Code = "import threading, time, embedded_python\nh = embedded_python.current_request()\ndef work():\n    time.sleep(0.05)\n    h.emit('a')\n    h.complete('thread')\nthreading.Thread(target=work).start()" });
        Assert.Equal([new PythonMessage("a", false), new PythonMessage("thread", true)], fromThread);
    }

    [Fact]
    public async Task Failing_sends_the_error_to_the_caller()
    {
        var error = await Assert.ThrowsAsync<PythonFailedException>(() => Collect(new PythonRequest
        {
            Code = "connector_connection.send_query_error(connector_context, {'messageCode': 'x.y', 'messageTemplate': 'went wrong {0}', 'parameters': [1]})",
        }));
        Assert.Equal("went wrong {0}", error.Message);
        Assert.Equal("x.y", ((IReadOnlyDictionary<string, object?>)error.Error!)["messageCode"]);
    }

    [Fact]
    public async Task A_stream_whose_code_ends_without_completing_fails_instead_of_hanging()
    {
        var error = await Assert.ThrowsAsync<PythonFailedException>(() => Collect(new PythonRequest { Code = "import embedded_python\nembedded_python.emit(1)" }).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("without completing", error.Message);
        var withTask = await Assert.ThrowsAsync<PythonFailedException>(() => Collect(new PythonRequest { Code = "import asyncio\nasync def t():\n    await asyncio.sleep(0.05)\nasyncio.get_event_loop().create_task(t())" }).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("without completing", withTask.Message);
    }

    [Fact]
    public async Task A_stream_whose_task_raised_fails_with_that_exception()
    {
        var error = await Assert.ThrowsAsync<PythonFailedException>(() => Collect(new PythonRequest { Code = "import asyncio\nasync def t():\n    raise KeyError('lost')\nasyncio.get_event_loop().create_task(t())" }).WaitAsync(TimeSpan.FromSeconds(10)));
        var cause = Assert.IsType<PythonException>(error.InnerException);
        Assert.Equal("KeyError", cause.PythonType);
        Assert.Contains("KeyError", error.Message);
    }

    [Fact]
    public async Task A_stream_that_never_completes_ends_at_its_time_limit()
    {
        await Assert.ThrowsAsync<PythonTimeoutException>(() => Collect(new PythonRequest
        {
            Code = "import asyncio, embedded_python\nasync def forever():\n    while True:\n        embedded_python.emit(0)\n        await asyncio.sleep(0.01)\nasyncio.get_event_loop().create_task(forever())",
            Timeout = TimeSpan.FromMilliseconds(300),
        }).WaitAsync(TimeSpan.FromSeconds(10)));
        var next = await _python.ExecuteAsync("ok = 1");
        Assert.Equal(1L, next.Values["ok"]);
    }

    [Fact]
    public async Task A_slow_reader_holds_back_the_sender_instead_of_buffering_without_bound()
    {
        var count = 0;
        await foreach (var message in _python.StreamAsync(new PythonRequest { Code = "import embedded_python\nfor i in range(5000):\n    embedded_python.emit(i)\nembedded_python.complete()", Timeout = TimeSpan.FromSeconds(60) }))
        {
            if (count++ == 0)
                await Task.Delay(300); // the sender fills the bounded buffer and waits
        }
        Assert.Equal(5001, count);
    }

    [Fact]
    public async Task Emitting_from_a_request_that_does_not_handle_its_return_is_an_error()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync("import embedded_python\nembedded_python.emit(1)"));
        Assert.Contains("CodeHandlesReturn", error.Message);
    }
}
