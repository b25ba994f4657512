using System.Buffers;
using System.Text;
using NUnit.Framework;
using TcpChat.Server.Networking;
using TcpChat.Server.Protocol;
using TcpChat.Tests.Infrastructure;

namespace TcpChat.Tests.Unit.Protocol;

/// <summary>
/// Issue 5, hostile clients: random and adversarial byte streams through the read path exactly as
/// <see cref="ClientConnection"/> runs it (framer over successive reads, telnet filter in place, sanitizer, then the
/// chat line another user receives), with fixed seeds so a failure replays. Each stream is checked against a
/// split-free run and against an independent model of the framing rules in docs/protocol.md.
/// </summary>
public class HostileInputFuzzTests
{
    private const int StreamsPerSeed = 1000;

    // Line limits: the smallest the options allow (edges come up often) and the default.
    private static readonly int[] Limits = [64, 64, 64, 100, 4096];

    private static readonly LineEncoder Encoder = new(crlf: false);

    // Bytes allowed inside a line another user receives: TAB, and everything from space up except DEL (C1 controls
    // are two-byte sequences, checked on the decoded text).
    private static readonly SearchValues<byte> AllowedInLine = SearchValues.Create(
        [.. Enumerable.Range(0, 256).Where(b => b == '\t' || (b >= 0x20 && b != 0x7F)).Select(b => (byte)b)]);

    /// <summary>One framing outcome, comparable across runs.</summary>
    private readonly record struct Frame(bool TooLong, byte[] Line)
    {
        public static Frame Over { get; } = new(true, []);

        public override string ToString() => TooLong ? "<too long>" : Convert.ToHexString(Line);

        public bool Equals(Frame other) => TooLong == other.TooLong && Line.AsSpan().SequenceEqual(other.Line);

        public override int GetHashCode() => HashCode.Combine(TooLong, Line.Length);
    }

    /// <summary>
    /// What one run over a whole stream produced: the frames, the bytes left unterminated at end of input, what
    /// <see cref="LineFramer.Finish"/> made of them (null when nothing), and the most bytes held between reads.
    /// </summary>
    private sealed record Run(List<Frame> Frames, byte[] EndOfInput, Frame? Last, long MaxUnconsumed);

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    public void RandomAndAdversarialStreamsKeepEveryInvariant(int seed)
    {
        var random = new Random(seed);
        int lines = 0;
        int tooLong = 0;
        for (int n = 0; n < StreamsPerSeed; n++)
        {
            int limit = Limits[random.Next(Limits.Length)];
            byte[] stream = Generate(random, limit);
            string context = $"seed {seed}, stream {n}, limit {limit}, {stream.Length} bytes";

            // The model, a run fed in one piece, and two runs fed in random pieces (the second one in tiny reads).
            var (expected, expectedTail) = Model(stream, limit);
            Run whole = Feed(stream, limit, [stream.Length], random);
            Run split = Feed(stream, limit, RandomCuts(random, stream.Length, maxRead: 1 + random.Next(2 * limit)), random);
            Run dribble = Feed(stream, limit, RandomCuts(random, stream.Length, maxRead: Math.Max(4, limit / 64)), random);

            foreach (var run in new[] { whole, split, dribble })
            {
                // Plain checks first, NUnit's (slower, but with a readable diff) only on a failure: this runs thousands of times.
                if (!run.Frames.SequenceEqual(expected))
                {
                    Assert.That(run.Frames, Is.EqualTo(expected), "framing follows the protocol (each LF-terminated line once, each oversized one as one TooLong): " + context);
                }

                if (!run.EndOfInput.AsSpan().SequenceEqual(expectedTail))
                {
                    Assert.That(run.EndOfInput, Is.EqualTo(expectedTail), "the unterminated tail: " + context);
                }

                if (run.Last != whole.Last)
                {
                    Assert.That(run.Last, Is.EqualTo(whole.Last), "the last line at end of input does not depend on how it was read: " + context);
                }

                if (run.MaxUnconsumed > limit + 1)
                {
                    Assert.Fail($"{run.MaxUnconsumed} bytes held between reads: {context}");
                }
            }

            tooLong += expected.Count(f => f.TooLong);
            foreach (var frame in whole.Frames.Where(f => !f.TooLong))
            {
                if (frame.Line.Length > limit)
                {
                    Assert.Fail($"a line of {frame.Line.Length} bytes: {context}");
                }

                CheckDecodedLine(frame.Line, context);
                lines++;
            }

            // At end of input the connection handles the tail as a last line (LineFramer.Finish), decoded the same way.
            if (whole.Last is { TooLong: false } last)
            {
                if (last.Line.Length > limit)
                {
                    Assert.Fail($"a last line of {last.Line.Length} bytes: {context}");
                }

                CheckDecodedLine(last.Line, context);
            }
        }

        // The generator must reach every path: plenty of lines, and oversized ones too.
        Assert.That(lines, Is.GreaterThan(5 * StreamsPerSeed));
        Assert.That(tooLong, Is.GreaterThan(StreamsPerSeed / 5));
        TestContext.Out.WriteLine($"{StreamsPerSeed} streams, {lines} lines, {tooLong} oversized");
    }

    [Test]
    public void AnEndlessLineFedInRandomReadsNeverHoldsMoreThanTheLimit()
    {
        const int limit = 64;
        var random = new Random(7);
        var framer = new LineFramer(limit);
        var pending = ReadOnlySequence<byte>.Empty;
        int tooLong = 0;
        for (int read = 0; read < 20_000; read++)
        {
            var chunk = new byte[1 + random.Next(3 * limit)];
            random.NextBytes(chunk);
            chunk.AsSpan().Replace((byte)'\n', (byte)'x');
            var buffer = Append(pending, chunk, random);
            while (framer.Next(ref buffer, out _) is var result && result != FrameResult.NeedMore)
            {
                Assert.That(result, Is.EqualTo(FrameResult.TooLong));
                tooLong++;
            }

            Assert.That(buffer.Length, Is.LessThanOrEqualTo(limit + 1));
            pending = Copy(buffer, random);
        }

        Assert.That(tooLong, Is.EqualTo(1), "one endless line, one report");
        var tail = Append(pending, "\nnext\n"u8.ToArray(), random);
        Assert.That(framer.Next(ref tail, out var next), Is.EqualTo(FrameResult.Line), "the rest of the endless line is skipped silently");
        Assert.That(Encoding.ASCII.GetString(next), Is.EqualTo("next"));
    }

    // Found by the fuzz test (seed 5): after a lone ESC, the sanitizer skips one UTF-16 char as the escape's final
    // "byte". For a character outside the BMP that is half a surrogate pair, so the text keeps a lone low surrogate,
    // which every member then receives as U+FFFD instead of the character (or instead of nothing).
    [TestCase(new byte[] { 0x1B, 0xF0, 0x9F, 0x98, 0x80 })]
    [TestCase(new byte[] { 0x02, 0x1B, 0xF4, 0x8F, 0xBF, 0xBF })]
    [TestCase(new byte[] { (byte)'a', 0x1B, 0x28, 0xF0, 0x9F, 0x98, 0x80, (byte)'b' })]
    public void EscapeBeforeAnAstralCharacterKeepsItWhole(byte[] line)
    {
        string text = TextSanitizer.Decode(line);
        bool wellFormed = true;
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                wellFormed = false;
            }
        }

        Assert.That(wellFormed, Is.True, "no lone surrogate in " + string.Join(" ", text.Select(c => ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Test]
    public void TheTelnetFilterGivesTheSameResultInPlaceAsIntoAFreshBuffer()
    {
        // ClientConnection filters a line in place (source and destination are the same span).
        var random = new Random(11);
        for (int n = 0; n < 5000; n++)
        {
            byte[] line = new byte[random.Next(64)];
            for (int i = 0; i < line.Length; i++)
            {
                line[i] = random.Next(4) switch
                {
                    0 => 0xFF,
                    1 => (byte)random.Next(240, 256),
                    2 => (byte)"\r\0a"[random.Next(3)],
                    _ => (byte)random.Next(256),
                };
            }

            byte[] fresh = new byte[line.Length];
            int freshLength = TelnetFilter.Filter(line, fresh);
            byte[] inPlace = (byte[])line.Clone();
            int inPlaceLength = TelnetFilter.Filter(inPlace, inPlace);
            Assert.That(inPlace.AsSpan(0, inPlaceLength).ToArray(), Is.EqualTo(fresh.AsSpan(0, freshLength).ToArray()), Convert.ToHexString(line));
            Assert.That(fresh.AsSpan(0, freshLength).Contains((byte)'\r'), Is.False, "no CR survives: " + Convert.ToHexString(line));
        }
    }

    // ---- the pipeline, as ClientConnection runs it (LineFramer.Next and Finish, LineDecoder.Decode) ----

    /// <summary>
    /// Feeds <paramref name="stream"/> in reads of the given sizes. Between reads the unconsumed bytes are kept, as a
    /// PipeReader does after <c>AdvanceTo(buffer.Start, buffer.End)</c>; every read arrives as several segments.
    /// </summary>
    private static Run Feed(byte[] stream, int limit, IReadOnlyList<int> reads, Random random)
    {
        var framer = new LineFramer(limit);
        var frames = new List<Frame>();
        var pending = ReadOnlySequence<byte>.Empty;
        long maxUnconsumed = 0;
        int offset = 0;
        foreach (int size in reads)
        {
            var buffer = Append(pending, stream[offset..(offset + size)], random);
            offset += size;
            while (true)
            {
                var result = framer.Next(ref buffer, out var line);
                if (result == FrameResult.NeedMore)
                {
                    break;
                }

                frames.Add(result == FrameResult.TooLong ? Frame.Over : new Frame(false, line.ToArray()));
            }

            maxUnconsumed = Math.Max(maxUnconsumed, buffer.Length);
            pending = Copy(buffer, random);
        }

        Assert.That(offset, Is.EqualTo(stream.Length));
        var tail = pending;
        var end = framer.Finish(ref tail, out var lastLine);
        Frame? last = end switch
        {
            FrameResult.TooLong => Frame.Over,
            FrameResult.Line => new Frame(false, lastLine.ToArray()),
            _ => null,
        };
        return new Run(frames, pending.ToArray(), last, maxUnconsumed);
    }

    /// <summary>Telnet filter in place, sanitizer, and the chat line as the room receives it.</summary>
    private static void CheckDecodedLine(byte[] line, string context)
    {
        byte[] bytes = (byte[])line.Clone();
        int length = TelnetFilter.NeedsFiltering(bytes) ? TelnetFilter.Filter(bytes, bytes) : bytes.Length;
        if (length < 0 || length > line.Length)
        {
            Assert.Fail($"the telnet filter returned {length} for {line.Length} bytes: {context}");
        }

        // The connection's own decoding (telnet filter in place, then sanitizer), not a copy of it.
        string text = LineDecoder.Decode(new ReadOnlySequence<byte>(line));
        foreach (char c in text)
        {
            if (c != '\t' && (char.IsControl(c) || c == '\u001B' || c == '\u007F'))
            {
                Assert.Fail($"U+{(int)c:X4} survived decoding: {context}, line {Convert.ToHexString(line)}");
            }
        }

        // What another member's terminal receives: valid UTF-8, exactly one LF, at the end, and no control byte but TAB.
        // (A lone surrogate in the text would come out as U+FFFD here; see EscapeBeforeAnAstralCharacterKeepsItWhole.)
        byte[] delivered = Encoder.Encode("#room nick: " + text);
        if (delivered[^1] != (byte)'\n'
            || delivered.AsSpan(0, delivered.Length - 1).IndexOfAnyExcept(AllowedInLine) >= 0
            || !System.Text.Unicode.Utf8.IsValid(delivered))
        {
            Assert.Fail($"a control byte or invalid UTF-8 reaches other users: {Convert.ToHexString(delivered)}; {context}, line {Convert.ToHexString(line)}");
        }
    }

    // ---- the model: docs/protocol.md's framing rules, written independently of LineFramer ----

    private static (List<Frame> Frames, byte[] Tail) Model(byte[] stream, int limit)
    {
        var frames = new List<Frame>();
        int start = 0;
        int lf;
        while ((lf = Array.IndexOf(stream, (byte)'\n', start)) >= 0)
        {
            int end = lf > start && stream[lf - 1] == (byte)'\r' ? lf - 1 : lf;
            frames.Add(end - start <= limit ? new Frame(false, stream[start..end]) : Frame.Over);
            start = lf + 1;
        }

        // An unterminated tail is held while it may still be a line of the limit plus its CR; beyond that it is
        // reported and dropped as it arrives.
        byte[] rest = stream[start..];
        if (rest.Length > limit + 1)
        {
            frames.Add(Frame.Over);
            rest = [];
        }

        return (frames, rest);
    }

    // ---- sequences ----

    private static List<int> RandomCuts(Random random, int length, int maxRead)
    {
        var reads = new List<int>();
        for (int left = length; left > 0;)
        {
            int size = Math.Min(left, 1 + random.Next(maxRead));
            reads.Add(size);
            left -= size;
        }

        return reads;
    }

    /// <summary>The kept bytes, then a new read cut into 1-3 segments.</summary>
    private static ReadOnlySequence<byte> Append(ReadOnlySequence<byte> pending, byte[] read, Random random)
    {
        var segments = new List<byte[]>();
        foreach (var memory in pending)
        {
            segments.Add(memory.ToArray());
        }

        int cuts = read.Length < 2 ? 0 : random.Next(3);
        int[] at = [.. Enumerable.Range(0, cuts).Select(_ => random.Next(1, read.Length))];
        var split = TestSequence.Split(read, at);
        foreach (var memory in split)
        {
            segments.Add(memory.ToArray());
        }

        return TestSequence.Create([.. segments.Where(s => s.Length > 0)]);
    }

    /// <summary>
    /// Copies what is left into at most two segments, as a pipe keeps it in its own few blocks (keeping our tiny read
    /// segments would make every later read walk thousands of them).
    /// </summary>
    private static ReadOnlySequence<byte> Copy(ReadOnlySequence<byte> buffer, Random random)
    {
        if (buffer.IsEmpty)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        byte[] bytes = buffer.ToArray();
        return bytes.Length < 2 ? TestSequence.Create(bytes) : TestSequence.Split(bytes, random.Next(1, bytes.Length));
    }

    // ---- the generator ----

    private static byte[] Generate(Random random, int limit)
    {
        var output = new List<byte>();
        int pieces = 1 + random.Next(24);
        for (int p = 0; p < pieces; p++)
        {
            AppendPiece(random, limit, output);
        }

        if (random.Next(3) > 0)
        {
            output.Add((byte)'\n'); // most streams end their last line
        }

        return [.. output];
    }

    private static readonly byte[][] Escapes =
    [
        "\u001B[2J"u8.ToArray(), "\u001B[31;1m"u8.ToArray(), "\u001B[?25l"u8.ToArray(), "\u001B[1;2;3;4;5;6"u8.ToArray(),
        "\u001B]0;title\u0007"u8.ToArray(), "\u001B]8;;http://x\u001B\\"u8.ToArray(), "\u001B]52;c;AAAA"u8.ToArray(),
        "\u001BP+q544e\u001B\\"u8.ToArray(), "\u001BPunterminated dcs"u8.ToArray(), "\u001B_apc\u001B\\"u8.ToArray(),
        "\u001B^pm"u8.ToArray(), "\u001BXsos\u0007"u8.ToArray(), "\u001B(B"u8.ToArray(), "\u001B#8"u8.ToArray(),
        "\u001Bc"u8.ToArray(), "\u001B"u8.ToArray(), "\u001B\u001B["u8.ToArray(), "\u001B[\u001B]"u8.ToArray(),
        [0x1B, 0x5B, 0xC2, 0x9B], [0xC2, 0x9B, 0x33, 0x31, 0x6D], [0xC2, 0x9D, 0x30, 0x3B, 0x07],
    ];

    private static readonly byte[][] Telnet =
    [
        [0xFF, 0xFF], [0xFF, 0xFB, 0x01], [0xFF, 0xFD, 0x03], [0xFF, 0xFE], [0xFF, 0xF1], [0xFF, 0xF4],
        [0xFF, 0xFA, 0x1F, 0x00, 0x50, 0x00, 0x18, 0xFF, 0xF0], [0xFF, 0xFA, 0x18, 0x00, 0x41], [0xFF, 0xFA],
        [0xFF], [0x0D, 0x00], [0x0D], [0x00], [0x0D, 0x0D, 0x0A], [0xFF, 0x0A], [0xFF, 0xFA, 0x0A, 0xFF, 0xF0],
    ];

    private static readonly byte[][] Utf8 =
    [
        // valid: 2, 3 and 4 bytes, emoji with modifiers, a BOM, the largest code point
        "é"u8.ToArray(), "€"u8.ToArray(), "日本"u8.ToArray(), "😀"u8.ToArray(), "👩🏽‍💻"u8.ToArray(), [0xEF, 0xBB, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF],
        // C1 controls as UTF-8, U+0080..U+009F
        [0xC2, 0x80], [0xC2, 0x85], [0xC2, 0x9B], [0xC2, 0x9F],
        // invalid: lone continuations, overlongs (incl. an overlong LF and ESC), UTF-8-encoded surrogates, truncations, never-valid bytes
        [0x80], [0xBF], [0x80, 0x80, 0x80], [0xC0, 0x80], [0xC0, 0x8A], [0xC1, 0x9B], [0xE0, 0x80, 0x80], [0xE0, 0x80, 0x9B],
        [0xF0, 0x80, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80],
        [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC3], [0xF4, 0x90, 0x80, 0x80], [0xF5], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE], [0xFF],
    ];

    private static void AppendPiece(Random random, int limit, List<byte> output)
    {
        switch (random.Next(12))
        {
            case 0:
            {
                var bytes = new byte[random.Next(80)];
                random.NextBytes(bytes);
                output.AddRange(bytes);
                break;
            }

            case 1:
                // A line exactly at, or just around, the limit; sometimes of multi-byte characters, sometimes with CR.
                AppendLineOfLength(random, output, limit + random.Next(-2, 3));
                break;
            case 2:
                // A long run without LF: up to several times the limit.
                for (int i = random.Next(limit, 5 * limit); i > 0; i--)
                {
                    output.Add((byte)('a' + (i % 26)));
                }

                break;
            case 3:
                // Many LFs (and CRLFs): empty lines.
                for (int i = random.Next(1, 20); i > 0; i--)
                {
                    if (random.Next(3) == 0)
                    {
                        output.Add((byte)'\r');
                    }

                    output.Add((byte)'\n');
                }

                break;
            case 4:
            case 5:
                output.AddRange(Escapes[random.Next(Escapes.Length)]);
                break;
            case 6:
            case 7:
                output.AddRange(Telnet[random.Next(Telnet.Length)]);
                break;
            case 8:
            case 9:
                output.AddRange(Utf8[random.Next(Utf8.Length)]);
                break;
            case 10:
                output.AddRange(Encoding.ASCII.GetBytes(random.Next(4) switch
                {
                    0 => "hello world",
                    1 => "/join #x",
                    2 => "\t tab ",
                    _ => "AUTH a@b.c pw",
                }));
                break;
            default:
                // Control bytes of every kind, and DEL.
                output.Add((byte)random.Next(4) switch { 0 => 0x7F, _ => (byte)random.Next(0x20) });
                break;
        }

        if (random.Next(3) == 0)
        {
            output.Add((byte)'\n');
        }
    }

    private static void AppendLineOfLength(Random random, List<byte> output, int length)
    {
        bool cr = random.Next(2) == 0;
        int body = cr ? length - 1 : length;
        var line = new List<byte>();
        while (line.Count < body)
        {
            if (random.Next(4) == 0 && body - line.Count >= 4)
            {
                line.AddRange("😀"u8.ToArray());
            }
            else if (random.Next(4) == 0 && body - line.Count >= 2)
            {
                line.AddRange("é"u8.ToArray());
            }
            else
            {
                line.Add((byte)('A' + random.Next(26)));
            }
        }

        if (random.Next(4) == 0 && line.Count > 1)
        {
            line.RemoveAt(line.Count - 1);
            line.Add(0xF0); // a truncated 4-byte sequence right at the edge
        }

        output.AddRange(line);
        if (cr)
        {
            output.Add((byte)'\r');
        }

        output.Add((byte)'\n');
    }
}
