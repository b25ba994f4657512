namespace TcpChat.Server.Store;

/// <summary>
/// The store cannot be opened (corrupt, unreadable, locked, newer schema). Its message is the one line the server
/// prints before exiting with code 2; it derives from <see cref="InvalidOperationException"/> to take that start-error path.
/// </summary>
internal sealed class StoreUnavailableException(string message, Exception? innerException = null)
    : InvalidOperationException(message, innerException);
