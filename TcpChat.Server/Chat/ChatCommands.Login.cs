using System.Net;
using TcpChat.Server.Auth;
using TcpChat.Server.Protocol;

namespace TcpChat.Server.Chat;

/// <summary>Before login: AUTH, SIGNUP, RECOVER, TOKEN, HELP and QUIT; a login ends in a nick and the default room.</summary>
internal sealed partial class ChatCommands
{
    private async ValueTask<bool> HandleBeforeLoginAsync(ChatSession session, Command command, CancellationToken cancellationToken)
    {
        if (command.Verb is Verb.Auth or Verb.Signup or Verb.Recover or Verb.Token)
        {
            // Socket completions run inline on the epoll thread; a login's JWT check or HTTP call must not hold it.
            await Task.Yield();
            if (!command.IsValid)
            {
                return Reply(session, replies.BadArguments(command));
            }
        }

        switch (command.Verb)
        {
            case Verb.Auth or Verb.Signup:
                return await PasswordLoginAsync(session, command, cancellationToken).ConfigureAwait(false);
            case Verb.Recover:
                return await RecoverAsync(session, command.Email, cancellationToken).ConfigureAwait(false);
            case Verb.Token:
                return await TokenLoginAsync(session, command.Secret, cancellationToken).ConfigureAwait(false);
            case Verb.Help:
                return Help(session, replies.HelpBeforeLogin);
            case Verb.Quit:
                return Quit(session, command.Text);
            default:
                return Reply(session, replies.AuthRequired);
        }
    }

    private async ValueTask<bool> PasswordLoginAsync(ChatSession session, Command command, CancellationToken cancellationToken)
    {
        if (RefuseCleartext(session))
        {
            return true;
        }

        var result = command.Verb == Verb.Signup
            ? await auth.SignUpAsync(command.Email, command.Secret, session.RemoteAddress, cancellationToken).ConfigureAwait(false)
            : await auth.SignInAsync(command.Email, command.Secret, session.RemoteAddress, cancellationToken).ConfigureAwait(false);
        if (result.ConfirmationSent)
        {
            return Reply(session, replies.ConfirmationSent);
        }

        return Complete(session, result);
    }

    private async ValueTask<bool> TokenLoginAsync(ChatSession session, string token, CancellationToken cancellationToken)
    {
        if (RefuseCleartext(session))
        {
            return true;
        }

        var result = await auth.VerifyTokenAsync(token, session.RemoteAddress, cancellationToken).ConfigureAwait(false);
        return Complete(session, result);
    }

    private async ValueTask<bool> RecoverAsync(ChatSession session, string email, CancellationToken cancellationToken)
    {
        var result = await auth.RecoverAsync(email, session.RemoteAddress, cancellationToken).ConfigureAwait(false);
        return Reply(session, result.Succeeded ? replies.RecoverSent : LoginRefused(result));
    }

    private byte[] LoginRefused(LoginResult result)
    {
        var (code, text) = LoginFailures.Describe(result.Failure, result.Detail);
        return replies.Error(code, text);
    }

    private bool RefuseCleartext(ChatSession session)
    {
        if (!_options.RequireTlsForRemoteLogin || session.Output.IsTls || IPAddress.IsLoopback(session.RemoteAddress))
        {
            return false;
        }

        session.Send(replies.TlsRequired(_options.Tls.Port));
        return true;
    }

    /// <summary>Finishes a login: claim a nick from the verified email, answer, and join the default room.</summary>
    private bool Complete(ChatSession session, LoginResult result)
    {
        if (!result.Succeeded || result.Identity is null)
        {
            ChatLog.LoginFailed(logger, session.Id, session.RemoteAddress, result.Failure);
            session.Send(LoginRefused(result));
            if (LoginFailures.CountsAsAttempt(result.Failure) && ++session.FailedLogins >= _options.MaxLoginAttempts)
            {
                session.QuitReason = null;
                session.Output.CloseWith(replies.TooManyAttempts);
                return false;
            }

            return true;
        }

        if (!session.TryCompleteLogin(result.Identity))
        {
            return false; // timed out or shutting down meanwhile
        }

        session.NextSessionCheck = sessions.NextCheck(result.Identity);
        string nick = nicks.ClaimDefault(session, result.Identity.Email);
        session.Send(replies.LoggedIn(nick));
        ChatLog.LoggedIn(logger, session.Id, result.Identity.UserId, nick);
        JoinRoom(session, _defaultRoom);
        return true;
    }
}
