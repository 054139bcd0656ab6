package netwatcher.agent.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One TCP connection attempt through libc: a non-blocking socket with {@code IP_RECVERR}
 * ({@code IPV6_RECVERR}), optionally bound to a fixed source port and TTL-limited, whose outcome is
 * read precisely: an ICMP error comes from the socket's error queue ({@code MSG_ERRQUEUE}, with the
 * ICMP type/code and the sender as {@code SO_EE_OFFENDER}); a connect refused without such an entry
 * is a TCP RST. The socket is closed with {@code SO_LINGER 0} (an RST, no TIME_WAIT), so the same
 * 5-tuple can be used again at once (Paris traceroute) and a run of probes leaves no state behind.
 *
 * <p>Thread-safety: stateless; attempts may run on any threads.
 */
final class TcpSyn {
    private TcpSyn() {}

    /**
     * Makes one attempt.
     *
     * @param destination where to connect
     * @param source      local address and/or port to bind (port 0 = ephemeral), or null for none
     * @param ttl         IP TTL / hop limit, or 0 for the system default
     * @param timeout     how long to wait for any answer
     */
    static Reply attempt(InetSocketAddress destination, InetSocketAddress source, int ttl, Duration timeout) {
        InetAddress dst = destination.getAddress();
        boolean v6 = dst instanceof Inet6Address;
        int fd = LibC.socket(v6 ? LibC.AF_INET6 : LibC.AF_INET, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) return Reply.local(LibC.errno(), "socket", null);
        try (Arena arena = Arena.ofConfined()) {
            LibC.setIntOption(fd, v6 ? LibC.IPPROTO_IPV6 : LibC.IPPROTO_IP, v6 ? LibC.IPV6_RECVERR : LibC.IP_RECVERR, 1);
            LibC.setIntOption(fd, LibC.SOL_SOCKET, LibC.SO_REUSEADDR, 1);
            LibC.setLingerZero(fd);
            if (ttl > 0) {
                LibC.setIntOption(fd, v6 ? LibC.IPPROTO_IPV6 : LibC.IPPROTO_IP, v6 ? LibC.IPV6_UNICAST_HOPS : LibC.IP_TTL, ttl);
            }
            if (source != null && (source.getPort() != 0 || (source.getAddress() != null && !source.getAddress().isAnyLocalAddress()))) {
                InetAddress bindAddress = source.getAddress() != null ? source.getAddress()
                        : InetAddress.getByAddress(new byte[v6 ? 16 : 4]);
                if (LibC.bind(fd, LibC.encode(arena, bindAddress, source.getPort())) < 0) {
                    return Reply.local(LibC.errno(), "bind", source);
                }
            }
            MemorySegment target = LibC.encode(arena, dst, destination.getPort()); // outside the timed span
            long start = System.nanoTime();
            int rc = LibC.connect(fd, target);
            if (rc == 0) return answered(start, System.nanoTime(), dst, fd);
            int err = LibC.errno();
            if (err != LibC.EINPROGRESS) {
                Reply icmp = readErrorQueue(fd, start, v6);
                return icmp != null ? icmp : Reply.local(err, "connect", LibC.localAddress(fd));
            }
            long deadline = start + timeout.toNanos();
            MemorySegment pfd = arena.allocate(LibC.POLLFD);
            while (true) {
                long leftMs = Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000);
                if (leftMs == 0) return Reply.timeout(LibC.localAddress(fd));
                pfd.set(JAVA_INT, 0, fd);
                pfd.set(JAVA_SHORT, 4, LibC.POLLOUT);
                pfd.set(JAVA_SHORT, 6, (short) 0);
                int n = LibC.poll(pfd, 1, (int) Math.min(leftMs, Integer.MAX_VALUE));
                long returned = System.nanoTime(); // the answer's time: before the getsockopt/error-queue reads below
                if (n < 0) {
                    if (LibC.errno() == LibC.EINTR) continue;
                    return Reply.local(LibC.errno(), "poll", LibC.localAddress(fd));
                }
                if (n == 0) continue;
                short revents = pfd.get(JAVA_SHORT, 6);
                if ((revents & LibC.POLLERR) != 0) {
                    Reply icmp = readErrorQueue(fd, start, v6);
                    if (icmp != null) return withLocal(icmp, fd);
                }
                int soError = LibC.socketError(fd);
                if (soError == 0 && (revents & LibC.POLLOUT) != 0) return answered(start, returned, dst, fd);
                if (soError == LibC.ECONNREFUSED) {
                    return new Reply(Reply.Kind.RESET, returned - start, dst, -1, -1, false, soError, null,
                            LibC.localAddress(fd));
                }
                if (soError > 0) return Reply.local(soError, "connect", LibC.localAddress(fd));
                if ((revents & (LibC.POLLERR | LibC.POLLHUP)) != 0 && soError == 0) {
                    // an error-queue entry that was not ICMP (e.g. local): keep waiting for the real answer,
                    // without spinning should the condition persist
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
            }
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        } finally {
            LibC.close(fd);
        }
    }

    private static Reply answered(long start, long end, InetAddress dst, int fd) {
        return new Reply(Reply.Kind.ANSWERED, end - start, dst, -1, -1, false, 0, null, LibC.localAddress(fd));
    }

    private static Reply withLocal(Reply r, int fd) {
        return new Reply(r.kind(), r.rttNanos(), r.from(), r.icmpType(), r.icmpCode(), r.ipv6(), r.errno(), r.stage(),
                LibC.localAddress(fd));
    }

    /**
     * Reads one entry of the socket's error queue; returns an ICMP reply when its origin is ICMP(v6),
     * or null when the queue is empty or the entry is local.
     */
    static Reply readErrorQueue(int fd, long start, boolean v6) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(28);
            MemorySegment data = arena.allocate(256);
            MemorySegment control = arena.allocate(512, 8);
            MemorySegment iov = arena.allocate(LibC.IOVEC);
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, data.byteSize());
            MemorySegment msg = arena.allocate(LibC.MSGHDR);
            msg.set(ADDRESS, 0, name);
            msg.set(JAVA_INT, 8, (int) name.byteSize());
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1L);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, control.byteSize());
            long n = LibC.recvmsg(fd, msg, LibC.MSG_ERRQUEUE | LibC.MSG_DONTWAIT);
            if (n < 0) return null;
            long rtt = System.nanoTime() - start;
            long controlLen = msg.get(JAVA_LONG, 40);
            long offset = 0;
            while (offset + 16 <= controlLen) {
                long cmsgLen = control.get(JAVA_LONG, offset);
                if (cmsgLen < 16) break;
                int level = control.get(JAVA_INT, offset + 8);
                int type = control.get(JAVA_INT, offset + 12);
                boolean recverr = (level == LibC.IPPROTO_IP && type == LibC.IP_RECVERR)
                        || (level == LibC.IPPROTO_IPV6 && type == LibC.IPV6_RECVERR);
                if (recverr) {
                    MemorySegment ee = control.asSlice(offset + 16);
                    int eeErrno = ee.get(JAVA_INT, 0);
                    int origin = ee.get(JAVA_BYTE, 4) & 0xff;
                    int icmpType = ee.get(JAVA_BYTE, 5) & 0xff;
                    int icmpCode = ee.get(JAVA_BYTE, 6) & 0xff;
                    if (origin != LibC.SO_EE_ORIGIN_ICMP && origin != LibC.SO_EE_ORIGIN_ICMP6) return null;
                    InetSocketAddress offender = LibC.decode(ee.asSlice(16, Math.min(28, ee.byteSize() - 16)));
                    return new Reply(Reply.Kind.ICMP, rtt, offender == null ? null : offender.getAddress(), icmpType, icmpCode,
                            origin == LibC.SO_EE_ORIGIN_ICMP6, eeErrno, null, null);
                }
                offset += (cmsgLen + 7) & ~7L;
            }
            return null;
        }
    }
}
