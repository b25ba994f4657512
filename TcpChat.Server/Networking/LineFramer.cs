using System.Buffers;

namespace TcpChat.Server.Networking;

/// <summary>What <see cref="LineFramer.Next"/> found in the buffer.</summary>
internal enum FrameResult
{
    /// <summary>No complete line yet: read more.</summary>
    NeedMore,

    /// <summary>A line, without its LF or the CR before it.</summary>
    Line,

    /// <summary>A line over the limit began; it is being discarded up to its LF. Reported once per oversized line.</summary>
    TooLong,
}

/// <summary>
/// Splits LF-terminated lines out of a byte stream. An oversized line is reported once and then skipped as its
/// bytes arrive, so memory never grows with its length. One instance per connection (it remembers whether it is
/// in the middle of skipping).
/// </summary>
internal struct LineFramer(int maxLineBytes)
{
    private bool _discarding;

    /// <summary>
    /// Takes the next line (or skips oversized bytes) from the front of <paramref name="buffer"/>, advancing it past
    /// what was consumed.
    /// </summary>
    public FrameResult Next(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        line = default;
        while (true)
        {
            var reader = new SequenceReader<byte>(buffer);
            bool found = reader.TryReadTo(out ReadOnlySequence<byte> candidate, (byte)'\n', advancePastDelimiter: true);
            if (_discarding)
            {
                if (!found)
                {
                    buffer = buffer.Slice(buffer.End);
                    return FrameResult.NeedMore;
                }

                // The oversized line ends here; go on with what follows it.
                _discarding = false;
                buffer = buffer.Slice(reader.Position);
                continue;
            }

            if (!found)
            {
                // A CR may still precede the LF, so allow one byte more than the limit before giving up on the line.
                if (buffer.Length > maxLineBytes + 1)
                {
                    _discarding = true;
                    buffer = buffer.Slice(buffer.End);
                    return FrameResult.TooLong;
                }

                return FrameResult.NeedMore;
            }

            buffer = buffer.Slice(reader.Position);
            return Complete(candidate, out line);
        }
    }

    /// <summary>
    /// At end of input, what is left is one more line (nc sends its last line without a newline), within the same
    /// limit as any line and without a trailing CR; the rest of an oversized line being skipped is dropped.
    /// Returns <see cref="FrameResult.NeedMore"/> when nothing is left. Consumes all of <paramref name="buffer"/>.
    /// </summary>
    public FrameResult Finish(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        line = default;
        var tail = buffer;
        buffer = buffer.Slice(buffer.End);
        if (tail.IsEmpty || _discarding)
        {
            return FrameResult.NeedMore;
        }

        return Complete(tail, out line);
    }

    /// <summary>A whole line as found, ending or not in a CR: the line without it, or too long.</summary>
    private readonly FrameResult Complete(ReadOnlySequence<byte> candidate, out ReadOnlySequence<byte> line)
    {
        if (candidate.Length > 0 && EndsWithCr(candidate))
        {
            candidate = candidate.Slice(0, candidate.Length - 1);
        }

        if (candidate.Length > maxLineBytes)
        {
            line = default;
            return FrameResult.TooLong;
        }

        line = candidate;
        return FrameResult.Line;
    }

    private static bool EndsWithCr(in ReadOnlySequence<byte> sequence)
    {
        var last = sequence.Slice(sequence.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
