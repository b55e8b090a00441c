using System.Globalization;
using Confluent.Kafka;

// Test helper run as a separate OS process by the integration tests.
//   produce <bootstrap> <topic> <count> <keyPrefix>   produces keys <keyPrefix>-0..count-1 with values "value-i"; exit 0 when all are acknowledged
//   consume <bootstrap> <topic> <count> <timeoutSeconds>  reads from the beginning until <count> records arrived; prints each "key=value"; exit 0 on success, 3 on timeout
// Exit code 2: bad arguments.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: produce <bootstrap> <topic> <count> <keyPrefix> | consume <bootstrap> <topic> <count> <timeoutSeconds>");
    return 2;
}

var (command, bootstrap, topic) = (args[0], args[1], args[2]);
var count = int.Parse(args[3], CultureInfo.InvariantCulture);
switch (command)
{
    case "produce":
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            // Keyed topics: murmur2 like Java clients, so an account lands where a Java producer would put it.
            Partitioner = Partitioner.Murmur2Random,
        };
        using var producer = new ProducerBuilder<string, string>(config).Build();
        for (var i = 0; i < count; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = $"{args[4]}-{i}", Value = $"value-{i}" }, report =>
            {
                if (report.Error.IsError)
                {
                    Console.Error.WriteLine($"delivery failed: {report.Error}");
                    Environment.Exit(1);
                }
            });
        }

        var remaining = producer.Flush(TimeSpan.FromSeconds(30));
        if (remaining > 0)
        {
            Console.Error.WriteLine($"{remaining} records not acknowledged within 30 s");
            return 1;
        }

        Console.WriteLine($"produced {count}");
        return 0;
    }

    case "consume":
    {
        var timeout = TimeSpan.FromSeconds(int.Parse(args[4], CultureInfo.InvariantCulture));
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"test-client-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow + timeout;
        var received = 0;
        while (received < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            Console.WriteLine($"{result.Message.Key}={result.Message.Value}");
            received++;
        }

        consumer.Close();
        if (received < count)
        {
            Console.Error.WriteLine($"received {received} of {count} records within {timeout.TotalSeconds} s");
            return 3;
        }

        return 0;
    }

    default:
        Console.Error.WriteLine($"unknown command '{command}'");
        return 2;
}
