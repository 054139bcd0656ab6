package netwatcher.controller.capture.live;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;

/**
 * The frames of the controller-to-controller live relay ({@code GET /internal/v1/live/{key}}, docs/captures.md "Live
 * stream"): the peer that holds the agent sends each whole record of the host capture as it gets it, and the
 * controller serving the reader puts them into its own stream as if the agent had posted them there. Big-endian:
 * <ul>
 *   <li>{@code 'P'} a record: linktype, snaplen (int), timestamp (long, ns since the epoch), origlen, caplen (int),
 *       caplen bytes;</li>
 *   <li>{@code 'M'} records dropped on the peer (long): its queue for this relay was full;</li>
 *   <li>{@code 'K'} keep-alive, sent whenever the peer's queue is empty (every 250 ms when idle);</li>
 *   <li>{@code 'E'} the end (UTF string: why): the host capture ended on the peer.</li>
 * </ul>
 * Stateless; the streams are the callers'.
 */
final class RelayFrames {
    /** Silence after which the relaying controller counts a peer as lost (20 keep-alives missed). */
    static final Duration SILENCE = Duration.ofSeconds(5);

    /** What a frame read said. */
    sealed interface Frame permits Packet, Missed, KeepAlive, End {}

    record Packet(LivePacket packet) implements Frame {}

    record Missed(long count) implements Frame {}

    record KeepAlive() implements Frame {}

    record End(String why) implements Frame {}

    private RelayFrames() {}

    static void packet(DataOutputStream out, LivePacket p) throws IOException {
        out.writeByte('P');
        out.writeInt(p.linktype());
        out.writeInt(p.snaplen());
        out.writeLong(p.timestampNanos());
        out.writeInt(p.origlen());
        out.writeInt(p.data().length);
        out.write(p.data());
    }

    static void missed(DataOutputStream out, long n) throws IOException {
        out.writeByte('M');
        out.writeLong(n);
    }

    static void keepAlive(DataOutputStream out) throws IOException {
        out.writeByte('K');
    }

    static void end(DataOutputStream out, String why) throws IOException {
        out.writeByte('E');
        out.writeUTF(why.length() > 2000 ? why.substring(0, 2000) : why);
    }

    /** Reads one frame; records are attributed to {@code source}. An end of input before a frame is an {@link java.io.EOFException}. */
    static Frame read(DataInputStream in, String source) throws IOException {
        int type = in.readUnsignedByte();
        return switch (type) {
            case 'P' -> {
                int linktype = in.readInt();
                int snaplen = in.readInt();
                long ts = in.readLong();
                int origlen = in.readInt();
                int caplen = in.readInt();
                if (caplen < 0 || caplen > PcapChunks.MAX_RECORD) throw new IOException("relay frame: record of " + caplen + " bytes");
                byte[] data = in.readNBytes(caplen);
                if (data.length != caplen) throw new java.io.EOFException("relay frame: record cut after " + data.length + " of " + caplen + " bytes");
                yield new Packet(new LivePacket(source, linktype, snaplen, ts, data, origlen));
            }
            case 'M' -> new Missed(in.readLong());
            case 'K' -> new KeepAlive();
            case 'E' -> new End(in.readUTF());
            default -> throw new IOException("relay frame: unknown type " + type);
        };
    }
}
