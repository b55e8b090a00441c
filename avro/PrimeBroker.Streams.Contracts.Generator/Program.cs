using PrimeBroker.Streams.Contracts.Generator;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PrimeBroker.Streams.Contracts.Generator <schema-dir> <output-dir>");
    return 2;
}

ContractGenerator.WriteTo(args[0], args[1]);
Console.WriteLine($"Generated {Directory.GetFiles(args[1], "*.cs").Length} files into {args[1]}");
return 0;
