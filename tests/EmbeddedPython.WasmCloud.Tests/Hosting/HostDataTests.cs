using System.Text;
using EmbeddedPython.WasmCloud.Hosting;

namespace EmbeddedPython.WasmCloud.Tests.Hosting;

public sealed class HostDataTests
{
    private static string Line(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void A_line_with_CRLF_without_padding_with_unknown_fields_and_nulls_is_read()
    {
        var json = """{"host_id":"NHOST","lattice_rpc_prefix":"lat","link_name":null,"provider_key":"VKEY","lattice_rpc_url":"127.0.0.1:4999","cluster_issuers":["CKEY"],"brand_new_field":{"x":1},"config_json":null,"env_values":null}""";
        var line = Line(json).TrimEnd('=') + "\r\n";
        var host = HostData.Parse(line);
        Assert.Equal(("NHOST", "lat", "default", "VKEY"), (host.HostId, host.LatticeRpcPrefix, host.LinkName, host.ProviderKey));
        Assert.Equal("nats://127.0.0.1:4999", host.NatsUrl);
        Assert.Equal(["CKEY"], host.ClusterIssuers);
        Assert.Null(host.ConfigJson);
        Assert.Empty(host.EnvValues);
        Assert.Equal(2000UL, host.DefaultRpcTimeoutMs);
    }

    [Fact]
    public void Link_definitions_of_both_eras_and_the_1x_named_config_are_read()
    {
        var json = """
            {"host_id":"NHOST","provider_key":"python-provider","config":{"python_dispatch":"/srv/dispatch.py"},
             "link_definitions":[
               {"actor_id":"MOLD","provider_id":"VKEY","link_name":"default","contract_id":"wasmcloud:example:python","values":{"a":"b"}},
               {"source_id":"component-1","target":"python-provider","name":"default","wit_namespace":"wasmcloud","wit_package":"python","interfaces":["dispatch"],"target_config":{"c":"d"}}
             ]}
            """;
        var host = HostData.Parse(Line(json));
        Assert.Equal("/srv/dispatch.py", host.Config["python_dispatch"]);
        Assert.Equal(["MOLD", "component-1"], host.LinkDefinitions.Select(l => l.ActorId));
        Assert.Equal("b", host.LinkDefinitions[0].Values["a"]);
        Assert.Equal("d", host.LinkDefinitions[1].Values["c"]);
        Assert.Equal("wasmcloud:python", host.LinkDefinitions[1].ContractId);
    }

    [Theory]
    [InlineData("", "empty line")]
    [InlineData("!!not base64!!", "not standard base64")]
    [InlineData("bm90IGpzb24=", "not JSON")]
    [InlineData("WzEsMl0=", "expected a JSON object")]
    public void A_malformed_line_is_an_error_saying_what_is_wrong(string line, string expected)
    {
        var error = Assert.Throws<FormatException>(() => HostData.Parse(line));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("HostData:", error.Message);
    }

    [Theory]
    [InlineData("", false, "nats://127.0.0.1:4222")]
    [InlineData("10.1.2.3:4222", true, "tls://10.1.2.3:4222")]
    [InlineData("nats://example:4222", false, "nats://example:4222")]
    public void The_NATS_address_follows_the_hosts_conventions(string url, bool tls, string expected) =>
        Assert.Equal(expected, new HostData { LatticeRpcUrl = url, LatticeRpcTls = tls }.NatsUrl);

    [Fact]
    public void What_a_host_writes_is_read_back()
    {
        var host = new HostData { HostId = "NHOST", ProviderKey = "VKEY", LatticeRpcPrefix = "lat", ClusterIssuers = ["C1"], Config = new Dictionary<string, string> { ["k"] = "v" } };
        var back = HostData.Parse(host.ToBase64Line() + "\n");
        Assert.Equal((host.HostId, host.ProviderKey, host.LatticeRpcPrefix), (back.HostId, back.ProviderKey, back.LatticeRpcPrefix));
        Assert.Equal(host.ClusterIssuers, back.ClusterIssuers);
        Assert.Equal("v", back.Config["k"]);
    }
}
