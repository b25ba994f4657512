using System.Net.Http.Headers;
using NUnit.Framework;
using TcpChat.Server.Auth;
using Reason = TcpChat.Server.Auth.FailureHint.Reason;

namespace TcpChat.Tests.Unit.Auth;

public class GotrueErrorParsingTests
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private static GotrueException Parse(int status, string body, string? header = null, MediaTypeHeaderValue? type = null) =>
        GotrueException.FromResponse("test", status, header, type ?? Json, body);

    [Test]
    public void ShapeA_IntCodeAndErrorCode()
    {
        var e = Parse(400, """{"code":400,"error_code":"invalid_credentials","msg":"Invalid login credentials"}""");
        Assert.Multiple(() =>
        {
            Assert.That(e.StatusCode, Is.EqualTo(400));
            Assert.That(e.ErrorCode, Is.EqualTo("invalid_credentials"));
            Assert.That(e.Reason, Is.EqualTo(Reason.UserBadLogin));
            Assert.That(e.ErrorMessage, Is.EqualTo("Invalid login credentials"));
            Assert.That(e.Content, Does.Contain("invalid_credentials"));
            Assert.That(e.NotJson, Is.False);
        });
    }

    [Test]
    public void ShapeB_StringCode()
    {
        var e = Parse(400, """{"code":"email_not_confirmed","message":"Email not confirmed"}""");
        Assert.Multiple(() =>
        {
            Assert.That(e.ErrorCode, Is.EqualTo("email_not_confirmed"));
            Assert.That(e.Reason, Is.EqualTo(Reason.UserEmailNotConfirmed));
            Assert.That(e.ErrorMessage, Is.EqualTo("Email not confirmed"));
        });
    }

    [TestCase("""{"code":422,"error_code":"weak_password","msg":"Password should be at least 6 characters.","weak_password":{"reasons":["length"]}}""")]
    [TestCase("""{"code":"weak_password","message":"Password should be at least 6 characters.","weak_password":{"reasons":["length"]}}""")]
    public void ShapeC_WeakPassword(string body)
    {
        var e = Parse(422, body);
        Assert.Multiple(() =>
        {
            Assert.That(e.ErrorCode, Is.EqualTo("weak_password"));
            Assert.That(e.Reason, Is.EqualTo(Reason.UserBadPassword));
        });
    }

    [TestCase("Invalid login credentials", nameof(Reason.UserBadLogin))]
    [TestCase("Email not confirmed", nameof(Reason.UserEmailNotConfirmed))]
    [TestCase("Invalid Refresh Token: Refresh Token Not Found", nameof(Reason.InvalidRefreshToken))]
    [TestCase("refresh_token required", nameof(Reason.Unknown))]
    public void ShapeD_OAuthErrorFallsBackToTheDescription(string description, string expectedReason)
    {
        var e = Parse(400, $$"""{"error":"invalid_grant","error_description":"{{description}}"}""");
        Assert.Multiple(() =>
        {
            Assert.That(e.ErrorCode, Is.EqualTo("invalid_grant"));
            Assert.That(e.Reason, Is.EqualTo(Enum.Parse<Reason>(expectedReason)));
            Assert.That(e.IsGatewayError, Is.False);
        });
    }

    [TestCase("""{"message":"No API key found in request","hint":"No `apikey` request header or url param was found."}""")]
    [TestCase("""{"message":"Invalid API key","hint":"Double check your API key."}""")]
    [TestCase("""{"message":"No API key found in request"}""")]
    public void ShapeE_GatewayError(string body)
    {
        var e = Parse(401, body);
        Assert.Multiple(() =>
        {
            Assert.That(e.ErrorCode, Is.Null);
            Assert.That(e.Reason, Is.EqualTo(Reason.Unknown));
            Assert.That(e.IsGatewayError, Is.True);
            Assert.That(e.ErrorMessage, Does.Contain("API key"));
        });
    }

    [Test]
    public void HeaderWinsOverTheBody()
    {
        var e = Parse(400, """{"code":400,"error_code":"validation_failed","msg":"x"}""", header: "user_banned");
        Assert.Multiple(() =>
        {
            Assert.That(e.ErrorCode, Is.EqualTo("user_banned"));
            Assert.That(e.Reason, Is.EqualTo(Reason.UserBanned));
        });
    }

    [Test]
    public void HeaderAloneIsEnough()
    {
        var e = Parse(400, "oops", header: "invalid_credentials", type: new MediaTypeHeaderValue("text/plain"));
        Assert.Multiple(() =>
        {
            Assert.That(e.ErrorCode, Is.EqualTo("invalid_credentials"));
            Assert.That(e.Reason, Is.EqualTo(Reason.UserBadLogin));
            Assert.That(e.NotJson, Is.True);
        });
    }

    [Test]
    public void PostgresErrorHasAStringSqlStateCode()
    {
        var e = Parse(500, """{"code":"P0001","message":"trigger says no","hint":null,"detail":null}""");
        Assert.Multiple(() =>
        {
            Assert.That(e.ErrorCode, Is.EqualTo("P0001"));
            Assert.That(e.Reason, Is.EqualTo(Reason.Unknown));
        });
    }

    [Test]
    public void NonJson5xxIsParsedWithoutThrowing()
    {
        var e = Parse(502, "<html><body>Bad Gateway</body></html>", type: new MediaTypeHeaderValue("text/html"));
        Assert.Multiple(() =>
        {
            Assert.That(e.StatusCode, Is.EqualTo(502));
            Assert.That(e.ErrorCode, Is.Null);
            Assert.That(e.NotJson, Is.True);
            Assert.That(e.Content, Does.Contain("Bad Gateway"));
            Assert.That(e.Message, Does.Not.Contain("html"), "the message never holds the body");
        });
    }

    [Test]
    public void JsonContentTypeWithBrokenBodyIsNotJson()
    {
        var e = Parse(500, "{not json");
        Assert.That(e.NotJson, Is.True);
    }

    [TestCase(429, "over_request_rate_limit", nameof(Reason.UserTooManyRequests))]
    [TestCase(429, "over_email_send_rate_limit", nameof(Reason.UserTooManyRequests))]
    [TestCase(422, "user_already_exists", nameof(Reason.UserAlreadyRegistered))]
    [TestCase(422, "signup_disabled", nameof(Reason.SignupDisabled))]
    [TestCase(400, "email_address_invalid", nameof(Reason.UserBadEmailAddress))]
    [TestCase(400, "refresh_token_already_used", nameof(Reason.InvalidRefreshToken))]
    [TestCase(400, "session_expired", nameof(Reason.ExpiredRefreshToken))]
    [TestCase(403, "bad_jwt", nameof(Reason.NoSessionFound))]
    [TestCase(400, "something_new", nameof(Reason.Unknown))]
    public void ErrorCodesMapToReasons(int status, string code, string expected) =>
        Assert.That(Parse(status, $$"""{"code":{{status}},"error_code":"{{code}}","msg":"m"}""").Reason, Is.EqualTo(Enum.Parse<Reason>(expected)));

    [TestCase("Unable to validate email address: invalid format", nameof(Reason.UserBadEmailAddress))]
    [TestCase("Password cannot be longer than 72 characters", nameof(Reason.UserBadPassword))]
    [TestCase("Refresh token is not valid", nameof(Reason.InvalidRefreshToken))]
    public void ValidationFailedIsRefinedByItsMessage(string msg, string expected) =>
        Assert.That(Parse(400, $$"""{"code":400,"error_code":"validation_failed","msg":"{{msg}}"}""").Reason, Is.EqualTo(Enum.Parse<Reason>(expected)));

    [Test]
    public void GatewayTooManyRequestsWithoutCode() =>
        Assert.That(Parse(429, """{"message":"Too many requests"}""").Reason, Is.EqualTo(Reason.UserTooManyRequests));
}
