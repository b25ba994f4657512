using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace TcpChat.Tests.Integration.DevAuth;

internal static class DevAuthAssert
{
    /// <summary>Shape A: status, <c>x-sb-error-code</c> header, and <c>{code:int, error_code, msg}</c>.</summary>
    public static async Task<JsonObject> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string errorCode, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        var body = JsonNode.Parse(text)!.AsObject();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Headers.GetValues("x-sb-error-code").Single(), Is.EqualTo(errorCode));
            Assert.That(body["code"]!.GetValue<int>(), Is.EqualTo((int)status));
            Assert.That(body["error_code"]!.GetValue<string>(), Is.EqualTo(errorCode));
            Assert.That(body["msg"]!.GetValue<string>(), Is.Not.Empty);
        }

        return body;
    }
}
