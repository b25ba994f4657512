using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TcpChat.Server.Hosting;

/// <summary>
/// One bindable setting: its full key, its default as text, and its property's XML-doc summary. A collection
/// (array, list, dictionary) is one entry whose items are bound from the keys below it (<c>Key:0</c>, <c>Key:name</c>).
/// </summary>
internal sealed record OptionsKey(string Key, string Default, string Description, bool IsCollection = false);

/// <summary>A configuration section and the options class it binds to.</summary>
internal sealed record OptionsSection(string Name, string Description, IReadOnlyList<OptionsKey> Keys);

/// <summary>
/// Every setting the program reads, found by reflection so that <c>--help</c>, the unknown-key check and the README
/// test cannot drift from the options classes. An options class joins by having a <c>public const string
/// SectionName</c> and being bound with <c>AddOptions&lt;T&gt;().Bind(configuration.GetSection(T.SectionName))</c>.
/// </summary>
internal static class OptionsCatalog
{
    private static readonly Dictionary<Assembly, Dictionary<string, XElement>> Docs = [];

    /// <summary>The sections of every options class bound from configuration in <paramref name="services"/>, in registration order.</summary>
    /// <param name="services">The program's registrations.</param>
    /// <param name="withDocs">
    /// False for the start-up check of unknown keys, which needs only the keys: the descriptions come from the XML
    /// documentation files, and reading those is work only <c>--help</c> and its tests need.
    /// </param>
    public static IReadOnlyList<OptionsSection> From(IServiceCollection services, bool withDocs = true) =>
        [.. services
            .Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>))
            .Select(t => t.GetGenericArguments()[0])
            .Distinct()
            .Select(t => Describe(t, withDocs))
            .OfType<OptionsSection>()];

    /// <summary>The section of <paramref name="optionsType"/>, or null when it names no <c>SectionName</c> (e.g. the framework's logging options).</summary>
    public static OptionsSection? Describe(Type optionsType, bool withDocs = true)
    {
        if (optionsType.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field
            || field.GetRawConstantValue() is not string name)
        {
            return null;
        }

        var keys = new List<OptionsKey>();
        AddKeys(keys, name, optionsType, Activator.CreateInstance(optionsType, nonPublic: true), withDocs);
        return new OptionsSection(name, withDocs ? Summary(optionsType, "T:" + XmlName(optionsType)) : "", keys);
    }

    private static void AddKeys(List<OptionsKey> keys, string prefix, Type type, object? defaults, bool withDocs)
    {
        string Doc(string property) => withDocs ? Summary(type, "P:" + XmlName(type) + "." + property) : "";

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.GetSetMethod() is not null && p.GetIndexParameters().Length == 0)
                     .OrderBy(p => p.MetadataToken))
        {
            string key = prefix + ":" + property.Name;
            object? value = defaults is null ? null : property.GetValue(defaults);
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsScalar(valueType))
            {
                keys.Add(new OptionsKey(key, Format(value), Doc(property.Name)));
            }
            else if (value is IEnumerable items || typeof(IEnumerable).IsAssignableFrom(valueType))
            {
                string text = value is IEnumerable list ? string.Join(",", list.Cast<object?>().Select(Format)) : "";
                keys.Add(new OptionsKey(key, text, Doc(property.Name), IsCollection: true));
            }
            else
            {
                AddKeys(keys, key, valueType, value, withDocs);
            }
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTimeOffset) || type == typeof(Uri) || type == typeof(Guid);

    private static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture) is var c && c.Contains('.', StringComparison.Ordinal) && t.Ticks % TimeSpan.TicksPerSecond != 0
            ? c.TrimEnd('0') // 00:00:00.2, not 00:00:00.2000000
            : c,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string XmlName(Type type) => type.FullName!.Replace('+', '.');

    /// <summary>The member's summary from the XML documentation file beside its assembly, as plain text.</summary>
    private static string Summary(Type type, string member)
    {
        Dictionary<string, XElement> docs;
        lock (Docs)
        {
            if (!Docs.TryGetValue(type.Assembly, out docs!))
            {
                docs = Docs[type.Assembly] = LoadDocs(type.Assembly);
            }
        }

        return docs.TryGetValue(member, out var summary) ? PlainText(summary, type.Assembly) : "";
    }

    private static Dictionary<string, XElement> LoadDocs(Assembly assembly)
    {
        string path = Path.ChangeExtension(assembly.Location, ".xml");
        if (assembly.Location.Length == 0 || !File.Exists(path))
        {
            return [];
        }

        return XDocument.Load(path).Descendants("member")
            .Where(m => m.Element("summary") is not null)
            .ToDictionary(m => (string)m.Attribute("name")!, m => m.Element("summary")!);
    }

    /// <summary>A cref as a reader wants it: a constant's value (e.g. a default key), else the member's name.</summary>
    private static string? Reference(string? cref, Assembly assembly)
    {
        if (cref is null)
        {
            return null;
        }

        int dot = cref.LastIndexOf('.');
        if (cref.StartsWith("F:", StringComparison.Ordinal)
            && assembly.GetType(cref[2..dot]) is { } type
            && type.GetField(cref[(dot + 1)..], BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static) is { IsLiteral: true } field)
        {
            return Format(field.GetRawConstantValue());
        }

        return cref[(dot + 1)..];
    }

    private static string PlainText(XElement summary, Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var node in summary.Nodes())
        {
            text.Append(node switch
            {
                XText t => t.Value,
                XElement { Name.LocalName: "see" or "seealso" } e => Reference((string?)e.Attribute("cref"), assembly) ?? (string?)e.Attribute("langword") ?? e.Value,
                XElement { Name.LocalName: "paramref" or "typeparamref" } e => (string?)e.Attribute("name") ?? "",
                XElement e => e.Value,
                _ => "",
            });
        }

        return string.Join(' ', text.ToString().Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
    }
}
