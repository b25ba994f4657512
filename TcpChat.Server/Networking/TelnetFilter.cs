using System.Buffers;

namespace TcpChat.Server.Networking;

/// <summary>Where <see cref="TelnetFilter"/> stopped in a client's byte stream, and which options it has refused.</summary>
internal struct TelnetState
{
    internal TelnetPhase Phase;
    internal byte Command;

    // Bit per option: 0-255 "we answered WONT to DO", 256-511 "we answered DONT to WILL". Allocated at the first
    // negotiation, so a client that never negotiates (nc) costs nothing.
    internal ulong[]? Refused;
}

internal enum TelnetPhase : byte
{
    Data,
    Iac,
    Option,
    Subnegotiation,
    SubnegotiationIac,
}

/// <summary>
/// Takes telnet commands out of a client's byte stream (they may be split across reads; the state carries over) and
/// says what to answer: every option is refused (DO gets WONT, WILL gets DONT, each once until the client changes its
/// mind, so two parties never loop), TIMING-MARK is confirmed (telnet discards our output after Ctrl-C until it is),
/// ARE-YOU-THERE gets a visible line, and Data Mark, interrupt and the other two-byte commands are dropped.
/// <c>IAC IAC</c> stands for a literal 0xFF byte, which later decodes as invalid UTF-8. A LF always ends a command
/// (and stays), so a broken one never spans lines. Pure: answers go to the caller's writer.
/// </summary>
internal static class TelnetFilter
{
    public const byte Iac = 0xFF;
    public const byte Dont = 254;
    public const byte Do = 253;
    public const byte Wont = 252;
    public const byte Will = 251;
    public const byte Sb = 250;
    public const byte AreYouThere = 246;
    public const byte Se = 240;
    public const byte TimingMark = 6;

    // The lowest telnet command byte (EOF, RFC 1184); after IAC anything lower is not a command and stays as data.
    private const byte FirstCommand = 236;

    /// <summary>
    /// Copies <paramref name="input"/> into <paramref name="output"/> (which may be the same memory) without telnet
    /// commands; returns the length written. Answers are written to <paramref name="answers"/>; an ARE-YOU-THERE is
    /// answered with <paramref name="areYouThere"/>, once per call however many arrive.
    /// </summary>
    public static int Filter(ReadOnlySpan<byte> input, Span<byte> output, ref TelnetState state, IBufferWriter<byte> answers, ReadOnlySpan<byte> areYouThere)
    {
        if (state.Phase == TelnetPhase.Data && input.IndexOf(Iac) < 0)
        {
            input.CopyTo(output);
            return input.Length; // the common case: no telnet at all
        }

        int written = 0;
        bool aytAnswered = false;
        foreach (byte b in input)
        {
            if (b == (byte)'\n' && state.Phase != TelnetPhase.Data)
            {
                // A line end ends any command cut short: a stray IAC SB must not swallow the lines after it.
                state.Phase = TelnetPhase.Data;
            }

            switch (state.Phase)
            {
                case TelnetPhase.Data when b == Iac:
                    state.Phase = TelnetPhase.Iac;
                    break;
                case TelnetPhase.Data:
                    output[written++] = b;
                    break;
                case TelnetPhase.Iac:
                    state.Phase = TelnetPhase.Data;
                    if (b == Iac)
                    {
                        output[written++] = Iac;
                    }
                    else if (b is >= Will and <= Dont)
                    {
                        state.Command = b;
                        state.Phase = TelnetPhase.Option;
                    }
                    else if (b == Sb)
                    {
                        state.Phase = TelnetPhase.Subnegotiation;
                    }
                    else if (b == AreYouThere && !aytAnswered)
                    {
                        aytAnswered = true;
                        answers.Write(areYouThere);
                    }
                    else if (b < FirstCommand)
                    {
                        output[written++] = b; // not a command: only the IAC is dropped
                    }

                    break; // DM, IP, AO, BRK, NOP, GA, EC, EL, ...: dropped
                case TelnetPhase.Option:
                    state.Phase = TelnetPhase.Data;
                    Negotiate(ref state, state.Command, b, answers);
                    break;
                case TelnetPhase.Subnegotiation:
                    state.Phase = b == Iac ? TelnetPhase.SubnegotiationIac : TelnetPhase.Subnegotiation;
                    break;
                case TelnetPhase.SubnegotiationIac:
                    state.Phase = b == Se ? TelnetPhase.Data : TelnetPhase.Subnegotiation;
                    break;
            }
        }

        return written;
    }

    private static void Negotiate(ref TelnetState state, byte command, byte option, IBufferWriter<byte> answers)
    {
        if (command == Do && option == TimingMark)
        {
            Answer(answers, Will, option); // every time: each one marks a point in the stream
            return;
        }

        state.Refused ??= new ulong[8];
        int bit = (command is Do or Dont ? 0 : 256) + option;
        ref ulong word = ref state.Refused[bit >> 6];
        ulong mask = 1UL << (bit & 63);
        if (command is Dont or Wont)
        {
            word &= ~mask; // the client agrees (or gives up); a later request is new and is answered again
        }
        else if ((word & mask) == 0)
        {
            word |= mask;
            Answer(answers, command == Do ? Wont : Dont, option);
        }
    }

    private static void Answer(IBufferWriter<byte> answers, byte command, byte option) => answers.Write([Iac, command, option]);
}
