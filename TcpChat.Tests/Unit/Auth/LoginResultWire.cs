using TcpChat.Server.Auth;
using TcpChat.Server.Chat;

namespace TcpChat.Tests.Unit.Auth;

/// <summary>A <see cref="LoginResult"/> as the client reads it: the code and text the chat layer answers with.</summary>
internal static class LoginResultWire
{
    extension(LoginResult result)
    {
        /// <summary>The <c>ERR</c> code the client gets; null on success.</summary>
        public string? ErrorCode => result.Succeeded ? null : LoginFailures.Describe(result.Failure, result.Detail).Code;

        /// <summary>The text after the code; null on success.</summary>
        public string? ErrorText => result.Succeeded ? null : LoginFailures.Describe(result.Failure, result.Detail).Text;
    }
}
