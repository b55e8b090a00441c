using PrimeBroker.Streams.Host.Commands;

return await HostCommandLine.RunAsync(args, Console.Out, Console.Error);
