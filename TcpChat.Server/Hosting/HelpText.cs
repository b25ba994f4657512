using System.Text;

namespace TcpChat.Server.Hosting;

/// <summary>What <c>--help</c> prints: usage, then every setting of <see cref="OptionsCatalog"/> with its default and its doc summary.</summary>
internal static class HelpText
{
    private const int DescriptionColumn = 40;
    private const int Width = 118;

    private const string Usage = """
        tcpchat 1.0 — a line-based TCP chat server with Supabase Auth logins

        Usage:
          TcpChat.Server [--Section:Key=value ...]   run the chat server
          TcpChat.Server devauth [--DevAuth:...]      run only the embedded Supabase-Auth-compatible endpoint
          TcpChat.Server --help                       this text

        Settings come from appsettings.json, environment variables (TCPCHAT_Chat__Port=7000, or the seed's
        SUPABASE_URL / SUPABASE_ANON_KEY) and the command line (--Chat:Port=7000), in that order. Unknown keys in
        these sections and unknown switches stop the start (exit code 2).

        """;

    public static string Render(IReadOnlyList<OptionsSection> sections)
    {
        var text = new StringBuilder(Usage);
        foreach (var section in sections)
        {
            string heading = section.Name + ":";
            text.Append('\n').Append(heading);
            AppendWrapped(text, heading.Length, 0, section.Description);
            foreach (var option in section.Keys)
            {
                string setting = $"  --{option.Key}={option.Default}";
                text.Append(setting);
                int column = setting.Length;
                if (column + 2 > DescriptionColumn)
                {
                    text.Append('\n');
                    column = 0;
                }

                AppendWrapped(text, column, DescriptionColumn, option.Description);
            }
        }

        return text.ToString();
    }

    /// <summary>Words from column <paramref name="indent"/> (or right after <paramref name="column"/>), wrapped at <see cref="Width"/>; ends the line.</summary>
    private static void AppendWrapped(StringBuilder text, int column, int indent, string words)
    {
        foreach (var word in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (column > indent && column + 1 + word.Length > Width)
            {
                text.Append('\n');
                column = 0;
            }

            int pad = column < indent ? indent - column : column == 0 ? 0 : 1;
            text.Append(' ', pad).Append(word);
            column += pad + word.Length;
        }

        text.Append('\n');
    }
}
