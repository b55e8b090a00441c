using Confluent.SchemaRegistry;
using PrimeBroker.Streams.App.Options;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>Builds the schema-registry client config of every command from <see cref="SchemaRegistryOptions"/>: the URL,
/// basic authentication (Confluent Cloud's API key and secret) and TLS.</summary>
internal static class RegistryClients
{
    /// <summary>The client config for <paramref name="url"/> with the authentication and TLS settings of
    /// <paramref name="options"/>.</summary>
    internal static SchemaRegistryConfig Config(string url, SchemaRegistryOptions options)
    {
        var config = new SchemaRegistryConfig { Url = url, EnableSslCertificateVerification = options.EnableSslCertificateVerification };
        if (!string.IsNullOrEmpty(options.BasicAuthUserInfo))
        {
            config.BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo;
            config.BasicAuthUserInfo = options.BasicAuthUserInfo;
        }

        if (!string.IsNullOrEmpty(options.SslCaLocation))
        {
            config.SslCaLocation = options.SslCaLocation;
        }

        if (!string.IsNullOrEmpty(options.SslKeystoreLocation))
        {
            config.SslKeystoreLocation = options.SslKeystoreLocation;
            config.SslKeystorePassword = options.SslKeystorePassword;
        }

        return config;
    }
}
