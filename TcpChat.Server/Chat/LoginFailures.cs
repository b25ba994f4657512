using TcpChat.Server.Auth;
using TcpChat.Server.Protocol;

namespace TcpChat.Server.Chat;

/// <summary>How each <see cref="LoginFailure"/> reads on the wire: its stable code and the text for people.</summary>
internal static class LoginFailures
{
    public static (string Code, string Text) Describe(LoginFailure failure, string? detail) => failure switch
    {
        LoginFailure.WrongPassword => (ErrorCodes.InvalidCredentials, "wrong email or password"),
        LoginFailure.Banned => (ErrorCodes.InvalidCredentials, "account is banned"),
        LoginFailure.EmailNotConfirmed => (ErrorCodes.EmailNotConfirmed, "confirm your email first (see the link we sent), then AUTH"),
        LoginFailure.InvalidToken => (ErrorCodes.InvalidToken, "invalid or expired token"),
        LoginFailure.WeakPassword => (ErrorCodes.WeakPassword, detail is null ? "password too weak or too long (6 to 72 bytes)" : "password too weak: " + detail),
        LoginFailure.PasswordTooLong => (ErrorCodes.WeakPassword, "password is longer than 72 bytes"),
        LoginFailure.InvalidEmail => (ErrorCodes.InvalidEmail, "that email address cannot be used"),
        LoginFailure.SignupDisabled => (ErrorCodes.SignupDisabled, "sign-ups are disabled"),
        LoginFailure.UserExists => (ErrorCodes.UserExists, "an account with this email exists; log in with AUTH"),
        LoginFailure.SupabaseRateLimited => (ErrorCodes.RateLimited, "too many attempts, try again in a minute"),
        LoginFailure.AddressThrottled => (ErrorCodes.RateLimited, "too many logins from your address, try again in a minute"),
        LoginFailure.Busy => (ErrorCodes.AuthUnavailable, "authentication service busy, try again shortly"),
        _ => (ErrorCodes.AuthUnavailable, "authentication service unavailable, try again shortly"),
    };

    /// <summary>Wrong passwords and tokens count toward <see cref="ChatOptions.MaxLoginAttempts"/>; outages and limits do not.</summary>
    public static bool CountsAsAttempt(LoginFailure failure) => failure is LoginFailure.WrongPassword or LoginFailure.Banned or LoginFailure.InvalidToken;
}
