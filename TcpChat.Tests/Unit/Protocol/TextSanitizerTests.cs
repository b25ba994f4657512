using System.Text;
using NUnit.Framework;
using TcpChat.Server.Protocol;

namespace TcpChat.Tests.Unit.Protocol;

public class TextSanitizerTests
{
    [TestCase("plain text", "plain text")]
    [TestCase("tab\tstays", "tab\tstays")]
    [TestCase("\u001B[31mred\u001B[0m", "red")]
    [TestCase("\u001B[2J\u001B[Hclear", "clear")]
    [TestCase("title\u001B]0;pwned\u0007 after", "title after")]
    [TestCase("st\u001B]8;;http://x\u001B\\link", "stlink")]
    [TestCase("bell\u0007 and nul\0 and del\u007F", "bell and nul and del")]
    [TestCase("c1\u009B31m", "c131m")]
    [TestCase("esc\u001Bc reset", "esc reset")]
    [TestCase("charset\u001B(Bok", "charsetok")]
    [TestCase("dangling\u001B", "dangling")]
    [TestCase("héllo wörld ✓", "héllo wörld ✓")]
    [TestCase("line\u2028sep\u2029para", "lineseppara")]
    [TestCase("\u202Eevil\u202C \u202Aa\u202Bb\u202Dc", "evil abc")]
    [TestCase("\u2066iso\u2067la\u2068te\u2069", "isolate")]
    [TestCase("mark\u200E\u200F\u061Cs", "marks")]
    public void CleansText(string input, string expected) => Assert.That(TextSanitizer.Decode(Encoding.UTF8.GetBytes(input)), Is.EqualTo(expected));

    [Test]
    public void InvalidUtf8BecomesReplacementCharacters()
    {
        byte[] bytes = [(byte)'a', 0xFF, (byte)'b', 0xC3, (byte)'c'];
        Assert.That(TextSanitizer.Decode(bytes), Is.EqualTo("a\uFFFDb\uFFFDc"));
    }
}
