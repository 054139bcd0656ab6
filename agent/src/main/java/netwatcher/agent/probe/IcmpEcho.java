package netwatcher.agent.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * ICMP echo over a raw ICMP (ICMPv6) socket opened through libc (needs CAP_NET_RAW). Every echo
 * request of one instance carries the same identifier and the same ICMP checksum: the sequence
 * number changes, and two payload bytes compensate for it, so a load balancer hashing the first
 * ICMP words sees one flow (Paris traceroute). Replies are matched by identifier and sequence: an
 * echo reply from the destination, or a time-exceeded / destination-unreachable message quoting
 * our request.
 *
 * <p>Thread-safety: not thread-safe; one instance per probing thread. Close it.
 */
final class IcmpEcho implements AutoCloseable {
    private static final int PAYLOAD = 24;
    private static final short FIXED_CHECKSUM = (short) 0x4e57; // "NW"

    private final int fd;
    private final boolean v6;
    private final int id;
    private final Arena arena = Arena.ofConfined();

    /** Opens a raw socket for the address family of {@code family}; throws {@link ProbeException} when refused. */
    IcmpEcho(InetAddress family, int id) {
        this.v6 = family instanceof Inet6Address;
        this.id = id & 0xffff;
        this.fd = LibC.socket(v6 ? LibC.AF_INET6 : LibC.AF_INET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC,
                v6 ? LibC.IPPROTO_ICMPV6 : LibC.IPPROTO_ICMP);
        if (fd < 0) {
            int err = LibC.errno();
            throw new ProbeException("cannot open a raw ICMP socket (needs CAP_NET_RAW): " + LibC.strerror(err), err, "socket");
        }
    }

    /** Binds the socket to a local source address (raw sockets have no port). */
    int bind(InetAddress source) {
        return LibC.bind(fd, LibC.encode(arena, source, 0)) < 0 ? LibC.errno() : 0;
    }

    /** Sends echo request {@code seq} with the given TTL (0 = default) and waits for its answer. */
    Reply attempt(InetAddress destination, int seq, int ttl, Duration timeout) {
        int level = v6 ? LibC.IPPROTO_IPV6 : LibC.IPPROTO_IP;
        LibC.setIntOption(fd, level, v6 ? LibC.IPV6_UNICAST_HOPS : LibC.IP_TTL, ttl > 0 ? ttl : -1);
        byte[] packet = request(seq & 0xffff);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment buf = call.allocate(packet.length);
            MemorySegment.copy(packet, 0, buf, ValueLayout.JAVA_BYTE, 0, packet.length);
            long start = System.nanoTime();
            if (LibC.sendto(fd, buf, LibC.encode(call, destination, 0)) < 0) {
                return Reply.local(LibC.errno(), "send", null);
            }
            long deadline = start + timeout.toNanos();
            MemorySegment pfd = call.allocate(LibC.POLLFD);
            MemorySegment in = call.allocate(1500);
            MemorySegment from = call.allocate(28);
            MemorySegment fromLen = call.allocate(JAVA_INT);
            while (true) {
                long leftMs = Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000);
                if (leftMs == 0) return Reply.timeout(null);
                pfd.set(JAVA_INT, 0, fd);
                pfd.set(JAVA_SHORT, 4, LibC.POLLIN);
                pfd.set(JAVA_SHORT, 6, (short) 0);
                int n = LibC.poll(pfd, 1, (int) leftMs);
                if (n <= 0) continue;
                fromLen.set(JAVA_INT, 0, 28);
                long got = LibC.recvfrom(fd, in, LibC.MSG_DONTWAIT, from, fromLen);
                if (got <= 0) continue;
                long rtt = System.nanoTime() - start;
                InetSocketAddress sender = LibC.decode(from);
                Reply r = match(in.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE), sender == null ? null : sender.getAddress(),
                        destination, seq & 0xffff, rtt);
                if (r != null) return r;
            }
        }
    }

    /** Builds the echo request: header, payload, and two compensation bytes that keep the checksum fixed. */
    byte[] request(int seq) {
        ByteBuffer b = ByteBuffer.allocate(8 + PAYLOAD);
        b.put((byte) (v6 ? Icmp.V6_ECHO_REQUEST : Icmp.ECHO_REQUEST)).put((byte) 0).putShort((short) 0)
                .putShort((short) id).putShort((short) seq);
        byte[] text = "netwatcher paris probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        b.put(text, 0, Math.min(text.length, PAYLOAD - 2));
        byte[] packet = b.array();
        // ones' complement sum S of all words must be ~FIXED_CHECKSUM; solve for the last word
        int partial = sum(packet, packet.length - 2);
        int target = ~FIXED_CHECKSUM & 0xffff;
        int compensation = fold(target + (~partial & 0xffff));
        packet[packet.length - 2] = (byte) (compensation >> 8);
        packet[packet.length - 1] = (byte) compensation;
        if (!v6) {
            int checksum = ~sum(packet, packet.length) & 0xffff;
            packet[2] = (byte) (checksum >> 8);
            packet[3] = (byte) checksum;
        } // ICMPv6: the kernel computes the checksum (pseudo-header included); still constant across seq
        return packet;
    }

    private static int sum(byte[] data, int length) {
        int s = 0;
        for (int i = 0; i + 1 < length; i += 2) s += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        if ((length & 1) == 1) s += (data[length - 1] & 0xff) << 8;
        return fold(s);
    }

    private static int fold(int s) {
        while ((s >>> 16) != 0) s = (s & 0xffff) + (s >>> 16);
        return s;
    }

    private Reply match(byte[] p, InetAddress sender, InetAddress destination, int seq, long rtt) {
        int icmp = 0;
        if (!v6) {
            if (p.length < 20) return null;
            icmp = (p[0] & 0x0f) * 4;
        }
        if (p.length < icmp + 8) return null;
        int type = p[icmp] & 0xff;
        int code = p[icmp + 1] & 0xff;
        int replyType = v6 ? Icmp.V6_ECHO_REPLY : Icmp.ECHO_REPLY;
        if (type == replyType) {
            if (u16(p, icmp + 4) == id && u16(p, icmp + 6) == seq && destination.equals(sender)) {
                return new Reply(Reply.Kind.ANSWERED, rtt, sender, -1, -1, v6, 0, null, null);
            }
            return null;
        }
        boolean error = v6 ? (type == Icmp.V6_DEST_UNREACH || type == Icmp.V6_TIME_EXCEEDED)
                : (type == Icmp.DEST_UNREACH || type == Icmp.TIME_EXCEEDED);
        if (!error) return null;
        int inner = icmp + 8;
        int innerIcmp;
        if (v6) {
            if (p.length < inner + 40 + 8 || (p[inner + 6] & 0xff) != LibC.IPPROTO_ICMPV6) return null;
            if (!Arrays.equals(Arrays.copyOfRange(p, inner + 24, inner + 40), destination.getAddress())) return null;
            innerIcmp = inner + 40;
        } else {
            if (p.length < inner + 20) return null;
            int ihl = (p[inner] & 0x0f) * 4;
            if ((p[inner + 9] & 0xff) != LibC.IPPROTO_ICMP) return null;
            if (!Arrays.equals(Arrays.copyOfRange(p, inner + 16, inner + 20), destination.getAddress())) return null;
            innerIcmp = inner + ihl;
            if (p.length < innerIcmp + 8) return null;
        }
        if (u16(p, innerIcmp + 4) != id || u16(p, innerIcmp + 6) != seq) return null;
        return new Reply(Reply.Kind.ICMP, rtt, sender, type, code, v6, 0, null, null);
    }

    private static int u16(byte[] p, int at) { return ((p[at] & 0xff) << 8) | (p[at + 1] & 0xff); }

    @Override
    public void close() {
        LibC.close(fd);
        arena.close();
    }
}
