using Microsoft.Playwright;

namespace PrimeBroker.Streams.App.Tests.Dashboard;

/// <summary>
/// One headless Chromium per test class, driven by Playwright. The browser is the distribution's <c>chromium</c>
/// (Debian: <c>apt-get install chromium</c>; <c>.ci/run</c> installs it when missing): Playwright's own browser
/// download needs network access the build machines do not have. <c>CHROMIUM_PATH</c> overrides the path.
/// </summary>
public sealed class HeadlessChromium : IAsyncLifetime
{
    internal const string DefaultPath = "/usr/bin/chromium";

    /// <summary>Bound of every wait on the page (Playwright's default is 30 s too; stated here so failures say it).</summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private IPlaywright? _playwright;

    internal IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var path = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } p ? p : DefaultPath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"No Chromium at {path}: the dashboard's browser tests need it (Debian: apt-get install -y chromium; " +
                "or set CHROMIUM_PATH).");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Timeout = (float)Timeout.TotalMilliseconds,
        });
    }

    /// <summary>A fresh page (own context) with the bounded default timeout; console errors are collected in
    /// <paramref name="errors"/> so a test can show them when it fails.</summary>
    internal async Task<IPage> NewPageAsync(List<string> errors)
    {
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add(error);
            }
        };
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
