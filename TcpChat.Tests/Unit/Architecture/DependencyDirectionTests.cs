using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using TcpChat.Server.Networking;

namespace TcpChat.Tests.Unit.Architecture;

/// <summary>
/// The folders of TcpChat.Server depend one way: Hosting → Networking → Chat → (Protocol, Auth). Read from the
/// source files' <c>using</c> lines and fully qualified names, so a wrong-way dependency fails here, not in review.
/// </summary>
public partial class DependencyDirectionTests
{
    // What each folder may use of ours. Absent folders (DevAuth, leaving for its own project) are not checked.
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Hosting"] = ["Networking", "Chat", "Protocol", "Auth", "DevAuth", "Store"],
        ["Networking"] = ["Chat", "Protocol", "Auth"],
        ["Chat"] = ["Protocol", "Auth", "Store"],
        ["Protocol"] = [],
        ["Store"] = [],
        ["Auth"] = [],
    };

    [Test]
    public void NoFolderUsesOneAboveIt()
    {
        string server = Path.Combine(RepositoryRoot(), "TcpChat.Server");
        var violations = new List<string>();
        int files = 0;
        foreach (var (folder, allowed) in Allowed)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(server, folder), "*.cs", SearchOption.AllDirectories))
            {
                files++;
                string text = File.ReadAllText(file);
                foreach (Match match in OurNamespace().Matches(text))
                {
                    string used = match.Groups[1].Value;
                    if (used != folder && !allowed.Contains(used))
                    {
                        violations.Add($"{Path.GetRelativePath(server, file)} uses TcpChat.Server.{used}");
                    }
                }
            }
        }

        Assert.That(files, Is.GreaterThan(40), "the source files were found");
        Assert.That(violations.Distinct(), Is.Empty);
    }

    [Test]
    public void LogEventIdsAreUniqueAcrossTheProgram()
    {
        var assemblies = new[] { typeof(ChatServer).Assembly }
            .Concat(typeof(ChatServer).Assembly.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("TcpChat.", StringComparison.Ordinal)).Select(Assembly.Load));
        var events = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m.DeclaringType!.Name + "." + m.Name, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .ToList();

        Assert.That(events, Has.Count.GreaterThan(30), "the [LoggerMessage] methods were found");
        var duplicates = events.GroupBy(e => e.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => g.Key + ": " + string.Join(", ", g.Select(e => e.Method)));
        Assert.That(duplicates, Is.Empty);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "TcpChat.Server")) && File.Exists(Path.Combine(dir.FullName, "TcpChat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("the repository (TcpChat.sln) is not above " + TestContext.CurrentContext.TestDirectory);
    }

    // "using TcpChat.Server.Chat;" or a qualified "TcpChat.Server.Chat.Room" (in code or a cref).
    [GeneratedRegex(@"\bTcpChat\.Server\.([A-Z][A-Za-z]*)\b")]
    private static partial Regex OurNamespace();
}
