using System.Globalization;
using NUnit.Framework;
using TcpChat.Server.Protocol;

namespace TcpChat.Tests.Unit.Protocol;

/// <summary>Every verb and argument shape of docs/protocol.md (v1 and v2) through the pure parser, as a table.</summary>
public class CommandParserTests
{
    // Before login: the leading / is optional, the verb case-insensitive, and only the login verbs, HELP and QUIT exist.
    [TestCase("AUTH alice@example.com secret", "Auth Email=alice@example.com Secret=secret")]
    [TestCase("auth alice@example.com pass with  spaces ", "Auth Email=alice@example.com Secret=pass with  spaces ")]
    [TestCase("/AUTH  alice@example.com pw", "Auth Email=alice@example.com Secret=pw")]
    [TestCase("AUTH alice@example.com", "Auth Problem=Usage")]
    [TestCase("AUTH", "Auth Problem=Usage")]
    [TestCase("SIGNUP bob@example.com hunter22", "Signup Email=bob@example.com Secret=hunter22")]
    [TestCase("signup bob@example.com", "Signup Problem=Usage")]
    [TestCase("RECOVER carol@example.com", "Recover Email=carol@example.com")]
    [TestCase("RECOVER  carol@example.com  ", "Recover Email=carol@example.com")]
    [TestCase("RECOVER a@b c@d", "Recover Problem=Usage")]
    [TestCase("RECOVER", "Recover Problem=Usage")]
    [TestCase("TOKEN aaa.bbb.ccc", "Token Secret=aaa.bbb.ccc")]
    [TestCase("/token aaa.bbb.ccc extra", "Token Problem=Usage")]
    [TestCase("TOKEN", "Token Problem=Usage")]
    [TestCase("RESET dave@example.com 123456 new pass word", "Reset Email=dave@example.com Secret=123456 Secret2=new pass word")]
    [TestCase("RESET dave@example.com 123456", "Reset Problem=Usage")]
    [TestCase("MFA 654321", "Mfa Secret=654321")]
    [TestCase("MFA 654 321", "Mfa Problem=Usage")]
    [TestCase("GUEST", "Guest")]
    [TestCase("GUEST me", "Guest Problem=Usage")]
    [TestCase("HELP", "Help")]
    [TestCase("/help", "Help")]
    [TestCase("QUIT", "Quit")]
    [TestCase("quit  going home ", "Quit Text=going home")]
    [TestCase("JOIN #lobby", "Unknown Word=JOIN")]
    [TestCase("hello there", "Unknown Word=hello")]
    [TestCase("", "Empty")]
    [TestCase("   ", "Empty")]
    public void BeforeLogin(string line, string expected) => Assert.That(Describe(CommandParser.Parse(line, loggedIn: false), showWord: false), Is.EqualTo(expected));

    // After login: a line without / is chat, //text says /text, commands need the /.
    [TestCase("hello all", "Say Text=hello all")]
    [TestCase("  indented", "Say Text=  indented")]
    [TestCase("//help", "Say Text=/help")]
    [TestCase("// x", "Say Text=/ x")]
    [TestCase("HELP", "Say Text=HELP")]
    [TestCase("AUTH alice@example.com secret", "Auth")]
    [TestCase("signup x@y.z pw", "Signup")]
    [TestCase("TOKEN a.b.c", "Token")]
    [TestCase("AUTH me please", "Say Text=AUTH me please")]
    [TestCase("TOKEN nodots", "Say Text=TOKEN nodots")]
    [TestCase("/auth x", "Auth Word=auth")]
    [TestCase("/RECOVER a@b", "Recover Word=RECOVER")]
    [TestCase("/join #rust", "Join Word=join Room=#rust")]
    [TestCase("/JOIN rust ", "Join Word=JOIN Room=rust")]
    [TestCase("/join", "Join Word=join Problem=Usage")]
    [TestCase("/join a b", "Join Word=join Problem=Usage")]
    [TestCase("/leave", "Leave Word=leave")]
    [TestCase("/leave #rust", "Leave Word=leave Room=#rust")]
    [TestCase("/part rust", "Leave Word=part Room=rust")]
    [TestCase("/rooms", "Rooms Word=rooms")]
    [TestCase("/who", "Who Word=who")]
    [TestCase("/who #lobby", "Who Word=who Room=#lobby")]
    [TestCase("/msg bob psst there", "Msg Word=msg Target=bob Text=psst there")]
    [TestCase("/msg #rust hi", "Msg Word=msg Target=#rust Text=hi")]
    [TestCase("/msg  bob  two spaces", "Msg Word=msg Target=bob Text= two spaces")]
    [TestCase("/msg bob", "Msg Word=msg Problem=Usage")]
    [TestCase("/msg", "Msg Word=msg Problem=Usage")]
    [TestCase("/me waves", "Me Word=me Text=waves")]
    [TestCase("/me  waves ", "Me Word=me Text= waves ")]
    [TestCase("/me   ", "Me Word=me Problem=Usage")]
    [TestCase("/nick alice_2", "Nick Word=nick Target=alice_2")]
    [TestCase("/nick", "Nick Word=nick Problem=Usage")]
    [TestCase("/history", "History Word=history Count=20")]
    [TestCase("/history 5", "History Word=history Count=5")]
    [TestCase("/history #rust", "History Word=history Room=#rust Count=20")]
    [TestCase("/history #rust 7", "History Word=history Room=#rust Count=7")]
    [TestCase("/history 7 #rust", "History Word=history Room=#rust Count=7")]
    [TestCase("/history 2fast", "History Word=history Room=2fast Count=20")]
    [TestCase("/history 5000", "History Word=history Count=200")]
    [TestCase("/history 99999999999999", "History Word=history Count=200")]
    [TestCase("/history 0", "History Word=history Problem=BadCount")]
    [TestCase("/history -3", "History Word=history Problem=BadCount")]
    [TestCase("/history a b c", "History Word=history Problem=Usage")]
    [TestCase("/ping", "Ping Word=ping")]
    [TestCase("/help", "Help Word=help")]
    [TestCase("/quit", "Quit Word=quit")]
    [TestCase("/quit bye all", "Quit Word=quit Text=bye all")]
    [TestCase("/frobnicate now", "Unknown Word=frobnicate")]
    [TestCase("/", "Unknown")]
    [TestCase("", "Empty")]

    // v2 verbs: parse shapes only (their handlers come with the moderation and account work).
    [TestCase("/topic", "Topic Word=topic")]
    [TestCase("/topic #rust", "Topic Word=topic Room=#rust")]
    [TestCase("/topic Rust 2.0 is out", "Topic Word=topic Text=Rust 2.0 is out")]
    [TestCase("/topic #rust Rust 2.0 is out", "Topic Word=topic Room=#rust Text=Rust 2.0 is out")]
    [TestCase("/op bob", "Op Word=op Target=bob")]
    [TestCase("/op #rust bob", "Op Word=op Room=#rust Target=bob")]
    [TestCase("/op", "Op Word=op Problem=Usage")]
    [TestCase("/op bob carol", "Op Word=op Problem=Usage")]
    [TestCase("/deop #rust bob", "Deop Word=deop Room=#rust Target=bob")]
    [TestCase("/kick bob", "Kick Word=kick Target=bob")]
    [TestCase("/kick #rust bob spamming links", "Kick Word=kick Room=#rust Target=bob Text=spamming links")]
    [TestCase("/kick #rust", "Kick Word=kick Problem=Usage")]
    [TestCase("/ban bob flooding", "Ban Word=ban Target=bob Text=flooding")]
    [TestCase("/ban #rust bob", "Ban Word=ban Room=#rust Target=bob")]
    [TestCase("/unban #rust bob", "Unban Word=unban Room=#rust Target=bob")]
    [TestCase("/unban bob why", "Unban Word=unban Problem=Usage")]
    [TestCase("/bans", "Bans Word=bans")]
    [TestCase("/bans #rust", "Bans Word=bans Room=#rust")]
    [TestCase("/bans bob", "Bans Word=bans Problem=Usage")]
    [TestCase("/password n3w-secret", "Password Word=password Secret=n3w-secret")]
    [TestCase("/password n3w-secret 123456", "Password Word=password Secret=n3w-secret Secret2=123456")]
    [TestCase("/password", "Password Word=password Problem=Usage")]
    [TestCase("/password a b c", "Password Word=password Problem=Usage")]
    [TestCase("/reset a@b 1 pw", "Reset Word=reset")]
    [TestCase("/mfa 123456", "Mfa Word=mfa")]
    [TestCase("/guest", "Guest Word=guest")]
    public void AfterLogin(string line, string expected) => Assert.That(Describe(CommandParser.Parse(line, loggedIn: true), showWord: true), Is.EqualTo(expected));

    [Test]
    public void AChatLineIsKeptAsTheSameString()
    {
        const string line = "a line of chat";
        Assert.That(CommandParser.Parse(line, loggedIn: true).Text, Is.SameAs(line), "a chat line costs no copy");
    }

    // The verb, then each argument that is set: a readable row per case. The verb as typed is shown after login, and
    // for an unknown verb (it is echoed in UNKNOWN_COMMAND).
    private static string Describe(Command c, bool showWord)
    {
        var parts = new List<string> { c.Verb.ToString() };
        if ((showWord || c.Verb == Verb.Unknown) && c.Word.Length > 0)
        {
            parts.Add("Word=" + c.Word);
        }

        void Add(string name, string value)
        {
            if (value.Length > 0)
            {
                parts.Add(name + "=" + value);
            }
        }

        Add("Email", c.Email);
        Add("Room", c.Room);
        Add("Target", c.Target);
        Add("Text", c.Text);
        Add("Secret", c.Secret);
        Add("Secret2", c.Secret2);
        if (c.Count != 0)
        {
            parts.Add("Count=" + c.Count.ToString(CultureInfo.InvariantCulture));
        }

        if (c.Problem != ArgumentProblem.None)
        {
            parts.Add("Problem=" + c.Problem);
        }

        return string.Join(' ', parts);
    }
}
