using PrimeBroker.Streams.App.Commands;



return await HostCommandLine.RunAsync(args, Console.Out, Console.Error);
