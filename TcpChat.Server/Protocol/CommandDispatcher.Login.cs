using TcpChat.Server.Auth;
using TcpChat.Server.Networking;

namespace TcpChat.Server.Protocol;

internal sealed partial class CommandDispatcher
{
    private static readonly string[] BeforeLoginHelp =
    [
        "AUTH <email> <password>  log in (the password may contain spaces)",
        "SIGNUP <email> <password>  create an account",
        "RECOVER <email>  send a password reset email",
        "TOKEN <access-token>  log in with a Supabase access token",
        "QUIT  disconnect",
        "The leading / is optional before login; after it, see HELP again.",
    ];

    private async ValueTask<bool> HandleBeforeLoginAsync(ClientConnection client, string line, CancellationToken cancellationToken)
    {
        var (verb, args) = Split(line.StartsWith('/') ? line[1..] : line);
        string command = verb.ToUpperInvariant();
        if (command is "AUTH" or "SIGNUP" or "RECOVER" or "TOKEN")
        {
            // Socket completions run inline on the epoll thread; a login's JWT check or HTTP call must not hold it.
            await Task.Yield();
        }

        switch (command)
        {
            case "AUTH":
                return await PasswordLoginAsync(client, args, signUp: false, cancellationToken).ConfigureAwait(false);
            case "SIGNUP":
                return await PasswordLoginAsync(client, args, signUp: true, cancellationToken).ConfigureAwait(false);
            case "RECOVER":
                return await RecoverAsync(client, args, cancellationToken).ConfigureAwait(false);
            case "TOKEN":
                return await TokenLoginAsync(client, args, cancellationToken).ConfigureAwait(false);
            case "HELP":
                return Help(client, BeforeLoginHelp);
            case "QUIT":
                return Quit(client, args);
            default:
                return Reply(client, Err(ErrorCodes.AuthRequired, "log in first: AUTH <email> <password> (or SIGNUP, RECOVER, TOKEN, HELP)"));
        }
    }

    private async ValueTask<bool> PasswordLoginAsync(ClientConnection client, string args, bool signUp, CancellationToken cancellationToken)
    {
        // The password is everything after the single space that follows the email, spaces included.
        var (email, password) = Split(args.TrimStart(' '));
        if (email.Length == 0 || password.Length == 0)
        {
            return Reply(client, Err(ErrorCodes.BadArguments, signUp ? "usage: SIGNUP <email> <password>" : "usage: AUTH <email> <password>"));
        }

        if (RefuseCleartext(client))
        {
            return true;
        }

        var result = signUp
            ? await auth.SignUpAsync(email, password, client.RemoteAddress, cancellationToken).ConfigureAwait(false)
            : await auth.SignInAsync(email, password, client.RemoteAddress, cancellationToken).ConfigureAwait(false);
        if (result.ConfirmationSent)
        {
            return Reply(client, encoder.Ok("SIGNUP check your email to confirm, then AUTH"));
        }

        return Complete(client, result);
    }

    private async ValueTask<bool> TokenLoginAsync(ClientConnection client, string args, CancellationToken cancellationToken)
    {
        string token = args.Trim();
        if (token.Length == 0 || token.Contains(' ', StringComparison.Ordinal))
        {
            return Reply(client, Err(ErrorCodes.BadArguments, "usage: TOKEN <access-token>"));
        }

        if (RefuseCleartext(client))
        {
            return true;
        }

        var result = await auth.VerifyTokenAsync(token, client.RemoteAddress, cancellationToken).ConfigureAwait(false);
        return Complete(client, result);
    }

    private async ValueTask<bool> RecoverAsync(ClientConnection client, string args, CancellationToken cancellationToken)
    {
        string email = args.Trim();
        if (email.Length == 0 || email.Contains(' ', StringComparison.Ordinal))
        {
            return Reply(client, Err(ErrorCodes.BadArguments, "usage: RECOVER <email>"));
        }

        var result = await auth.RecoverAsync(email, client.RemoteAddress, cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? Reply(client, encoder.Ok("RECOVER if an account exists for that address, a password reset email is on its way"))
            : Reply(client, Err(result.ErrorCode!, result.ErrorText!));
    }

    private bool RefuseCleartext(ClientConnection client)
    {
        if (!_options.RequireTlsForRemoteLogin || client.IsTls || client.IsLoopback)
        {
            return false;
        }

        client.Send(Err(ErrorCodes.TlsRequired, "log in over TLS (port " + _options.Tls.Port + "): credentials must not cross the network in clear text"));
        return true;
    }

    /// <summary>Finishes a login: claim a nick from the verified email, answer, and join the default room.</summary>
    private bool Complete(ClientConnection client, LoginResult result)
    {
        if (!result.Succeeded || result.Identity is null)
        {
            string code = result.ErrorCode ?? ErrorCodes.AuthUnavailable;
            CommandLog.LoginFailed(logger, client.Id, client.RemoteAddress, code);
            client.Send(Err(code, result.ErrorText ?? "the login failed"));
            if (code is ErrorCodes.InvalidCredentials or ErrorCodes.InvalidToken && ++client.FailedLogins >= _options.MaxLoginAttempts)
            {
                client.QuitReason = null;
                client.CloseWith(Err(ErrorCodes.TooManyAttempts, "too many failed logins; closing"));
                return false;
            }

            return true;
        }

        if (!client.TryCompleteLogin(result.Identity))
        {
            return false; // timed out or shutting down meanwhile
        }

        client.NextSessionCheck = sessions.NextCheck(result.Identity);
        string nick = nicks.ClaimDefault(client, result.Identity.Email);
        client.Send(encoder.Ok("AUTH " + nick));
        CommandLog.LoggedIn(logger, client.Id, result.Identity.UserId, nick);
        JoinRoom(client, _defaultRoom);
        return true;
    }
}
