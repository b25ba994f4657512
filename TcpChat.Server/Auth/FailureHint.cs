namespace TcpChat.Server.Auth;

/// <summary>Why a Supabase Auth call failed, named as in Supabase.Gotrue (docs/supabase-auth.md §8).</summary>
internal static class FailureHint
{
    /// <summary>The failure reasons of Supabase.Gotrue, plus <see cref="UserBanned"/> and <see cref="SignupDisabled"/>.</summary>
    internal enum Reason
    {
        /// <summary>Anything not listed: an unknown code, a gateway error (shape E), a 5xx, a non-JSON answer.</summary>
        Unknown,

        /// <summary>No HTTP answer: connection failure or timeout.</summary>
        Offline,
        UserEmailNotConfirmed,
        UserBadMultiple,
        UserBadPassword,
        UserBadLogin,
        UserBadEmailAddress,
        UserBadPhoneNumber,
        UserMissingInformation,
        UserAlreadyRegistered,
        UserTooManyRequests,
        InvalidRefreshToken,
        ExpiredRefreshToken,
        NoSessionFound,
        UserBanned,
        SignupDisabled,
    }

    /// <summary>The reason for a GoTrue <c>error_code</c> (shapes A–C); <paramref name="message"/> only refines <c>validation_failed</c>.</summary>
    public static Reason FromErrorCode(int statusCode, string errorCode, string? message) => errorCode switch
    {
        "invalid_credentials" => Reason.UserBadLogin,
        "email_not_confirmed" or "phone_not_confirmed" => Reason.UserEmailNotConfirmed,
        "user_already_exists" or "email_exists" or "phone_exists" => Reason.UserAlreadyRegistered,
        "weak_password" => Reason.UserBadPassword,
        "email_address_invalid" or "email_address_not_authorized" => Reason.UserBadEmailAddress,
        "over_request_rate_limit" or "over_email_send_rate_limit" or "over_sms_send_rate_limit" => Reason.UserTooManyRequests,
        "refresh_token_not_found" or "refresh_token_already_used" or "session_not_found" => Reason.InvalidRefreshToken,
        "session_expired" => Reason.ExpiredRefreshToken,
        "no_authorization" or "bad_jwt" or "user_not_found" => Reason.NoSessionFound,
        "user_banned" => Reason.UserBanned,
        "signup_disabled" or "email_provider_disabled" => Reason.SignupDisabled,
        "validation_failed" => FromValidationMessage(message),
        _ when statusCode == 429 => Reason.UserTooManyRequests,
        _ => Reason.Unknown,
    };

    /// <summary>
    /// <c>validation_failed</c> covers several inputs; the message is the only way to tell which
    /// (docs/supabase-auth.md §2.1): a bad or missing email, a password over 72 bytes, a malformed refresh token.
    /// </summary>
    private static Reason FromValidationMessage(string? message)
    {
        if (message is null)
        {
            return Reason.Unknown;
        }

        if (message.Contains("refresh token", StringComparison.OrdinalIgnoreCase))
        {
            return Reason.InvalidRefreshToken;
        }

        if (message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            return Reason.UserBadPassword;
        }

        if (message.Contains("email", StringComparison.OrdinalIgnoreCase))
        {
            return Reason.UserBadEmailAddress;
        }

        return Reason.UserMissingInformation;
    }

    /// <summary>
    /// Substring matching on the message, as Supabase.Gotrue's <c>DetectReason</c> does; used only for answers that
    /// carry no GoTrue error code (OAuth shape D, gateway shape E).
    /// </summary>
    public static Reason FromMessage(int statusCode, string? message)
    {
        if (statusCode == 429)
        {
            return Reason.UserTooManyRequests;
        }

        if (statusCode != 400 || message is null)
        {
            return Reason.Unknown;
        }

        if (message.Contains("Invalid login", StringComparison.OrdinalIgnoreCase))
        {
            return Reason.UserBadLogin;
        }

        if (message.Contains("Email not confirmed", StringComparison.OrdinalIgnoreCase))
        {
            return Reason.UserEmailNotConfirmed;
        }

        if (message.Contains("banned", StringComparison.OrdinalIgnoreCase))
        {
            return Reason.UserBanned;
        }

        if (message.Contains("Refresh Token", StringComparison.OrdinalIgnoreCase))
        {
            return Reason.InvalidRefreshToken;
        }

        return Reason.Unknown;
    }
}
