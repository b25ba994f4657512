using TcpChat.Server.Hosting;

return await ChatHost.RunAsync(args);
