using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TcpChat.Bench.Reporting;

/// <summary>The figures of one run: printed as one human line each, then as one JSON line.</summary>
internal sealed class ScenarioResult(string label, string scenario, bool raw)
{
    private readonly List<(string Key, double Value, string Unit)> _figures = [];
    private readonly List<(string Key, string Value)> _settings = [];

    public List<string> Failures { get; } = [];

    public bool Ok => Failures.Count == 0;

    public void Setting(string key, object value) =>
        _settings.Add((key, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty));

    public void Figure(string key, double value, string unit = "") => _figures.Add((key, value, unit));

    /// <summary>A count that must be zero (lost, out of order, errors).</summary>
    public void MustBeZero(string key, long value)
    {
        Figure(key, value);
        if (value != 0)
        {
            Failures.Add($"{key} = {value}");
        }
    }

    public void Print(TextWriter output)
    {
        string mode = raw ? " (raw)" : string.Empty;
        output.WriteLine($"{label}{mode}: {string.Join(", ", _settings.Select(s => s.Key + "=" + s.Value))}");
        foreach (var (key, value, unit) in _figures)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}{mode}: {key} {Human(value)}{(unit.Length > 0 ? " " + unit : string.Empty)}"));
        }

        foreach (string failure in Failures)
        {
            output.WriteLine($"{label}{mode}: FAILED {failure}");
        }

        output.WriteLine(ToJson());
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("label", label);
            json.WriteString("scenario", scenario);
            json.WriteBoolean("raw", raw);
            json.WriteBoolean("ok", Ok);
            foreach (var (key, value) in _settings)
            {
                json.WriteString(key, value);
            }

            foreach (var (key, value, _) in _figures)
            {
                json.WriteNumber(key, Math.Round(value, 4));
            }

            json.WriteStartArray("failures");
            foreach (string failure in Failures)
            {
                json.WriteStringValue(failure);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Human(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? value.ToString("N0", CultureInfo.InvariantCulture)
            : value.ToString(Math.Abs(value) >= 100 ? "N1" : "0.###", CultureInfo.InvariantCulture);
}
