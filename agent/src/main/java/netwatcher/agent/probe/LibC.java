package netwatcher.agent.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The libc socket calls the probes need, as FFM downcalls that capture {@code errno}: socket, bind,
 * connect, setsockopt, getsockopt, getsockname, poll, sendto, recvfrom, recvmsg, close, plus
 * encoding of {@code sockaddr_in}/{@code sockaddr_in6} and the Linux x86_64/aarch64 constants.
 *
 * <p>Thread-safety: stateless; every call may be made from any thread. Each call returns the raw
 * return value; {@link #errno()} reads the errno captured by the last call made on the calling
 * thread through this class.
 */
@SuppressWarnings("restricted")
final class LibC {
    private LibC() {}

    static final int AF_INET = 2, AF_INET6 = 10;
    static final int SOCK_STREAM = 1, SOCK_RAW = 3, SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    static final int IPPROTO_IP = 0, IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_IPV6 = 41, IPPROTO_ICMPV6 = 58;
    static final int SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_ERROR = 4, SO_LINGER = 13;
    static final int IP_TTL = 2, IP_RECVERR = 11;
    static final int IPV6_UNICAST_HOPS = 16, IPV6_RECVERR = 25;
    static final int MSG_DONTWAIT = 0x40, MSG_ERRQUEUE = 0x2000;
    static final short POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10;
    static final int EPERM = 1, EAGAIN = 11, EACCES = 13, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETUNREACH = 101,
            ETIMEDOUT = 110, ECONNREFUSED = 111, EHOSTUNREACH = 113, EINPROGRESS = 115, EINTR = 4;
    static final int SO_EE_ORIGIN_LOCAL = 1, SO_EE_ORIGIN_ICMP = 2, SO_EE_ORIGIN_ICMP6 = 3;

    /** {@code struct msghdr} on LP64 Linux. */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"), JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"), JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"), JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4));
    static final StructLayout IOVEC = MemoryLayout.structLayout(ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len"));
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT)); // freed with its thread

    private static final MethodHandle SOCKET = link("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = link("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = link("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = link("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = link("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETSOCKNAME = link("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle POLL = link("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = link("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = link("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle RECVMSG = link("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)), JAVA_INT));

    private static MethodHandle link(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    /** Calls {@code handle} with this thread's errno capture segment as the leading argument. */
    private static Object invoke(MethodHandle handle, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = STATE.get();
        System.arraycopy(args, 0, all, 1, args.length);
        try {
            return handle.invokeWithArguments(all);
        } catch (Throwable t) {
            throw new IllegalStateException("libc call failed: " + t, t);
        }
    }

    /** errno as captured by the last call on this thread. */
    static int errno() { return (int) ERRNO.get(STATE.get(), 0L); }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invoke(errno);
            return s.getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static int socket(int domain, int type, int protocol) { return (int) invoke(SOCKET, domain, type, protocol); }
    static int bind(int fd, MemorySegment addr) { return (int) invoke(BIND, fd, addr, (int) addr.byteSize()); }
    static int connect(int fd, MemorySegment addr) { return (int) invoke(CONNECT, fd, addr, (int) addr.byteSize()); }
    static int close(int fd) { return (int) invoke(CLOSE, fd); }
    static int poll(MemorySegment fds, long n, int timeoutMs) { return (int) invoke(POLL, fds, n, timeoutMs); }
    static int getsockname(int fd, MemorySegment addr, MemorySegment len) { return (int) invoke(GETSOCKNAME, fd, addr, len); }
    static long recvmsg(int fd, MemorySegment msg, int flags) { return (long) invoke(RECVMSG, fd, msg, flags); }
    static long sendto(int fd, MemorySegment buf, MemorySegment addr) {
        return (long) invoke(SENDTO, fd, buf, buf.byteSize(), 0, addr, (int) addr.byteSize());
    }
    static long recvfrom(int fd, MemorySegment buf, int flags, MemorySegment addr, MemorySegment len) {
        return (long) invoke(RECVFROM, fd, buf, buf.byteSize(), flags, addr, len);
    }

    static int setIntOption(int fd, int level, int name, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            return (int) invoke(SETSOCKOPT, fd, level, name, v, 4);
        }
    }

    static int setLingerZero(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(8);
            v.set(JAVA_INT, 0, 1);
            v.set(JAVA_INT, 4, 0);
            return (int) invoke(SETSOCKOPT, fd, SOL_SOCKET, SO_LINGER, v, 8);
        }
    }

    /** {@code getsockopt(SOL_SOCKET, SO_ERROR)}, or -1 when the call itself failed. */
    static int socketError(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            int rc = (int) invoke(GETSOCKOPT, fd, SOL_SOCKET, SO_ERROR, v, len);
            return rc < 0 ? -1 : v.get(JAVA_INT, 0);
        }
    }

    /** The socket's bound address, or null. */
    static InetSocketAddress localAddress(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(28);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 28);
            if (getsockname(fd, addr, len) < 0) return null;
            return decode(addr);
        }
    }

    // ---------------------------------------------------------------- sockaddr

    private static final ValueLayout.OfShort SHORT_BE = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    /** Encodes a {@code sockaddr_in} or {@code sockaddr_in6}. */
    static MemorySegment encode(Arena arena, InetAddress address, int port) {
        byte[] raw = address.getAddress();
        if (address instanceof Inet4Address) {
            MemorySegment s = arena.allocate(16);
            s.set(JAVA_SHORT, 0, (short) AF_INET);
            s.set(SHORT_BE, 2, (short) port);
            MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 4, 4);
            return s;
        }
        MemorySegment s = arena.allocate(28);
        s.set(JAVA_SHORT, 0, (short) AF_INET6);
        s.set(SHORT_BE, 2, (short) port);
        MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 8, 16);
        if (address instanceof Inet6Address v6 && v6.getScopeId() != 0) s.set(JAVA_INT, 24, v6.getScopeId());
        return s;
    }

    /** Decodes a {@code sockaddr_in}/{@code sockaddr_in6}, or null for another family. */
    static InetSocketAddress decode(MemorySegment s) {
        int family = s.get(JAVA_SHORT, 0) & 0xffff;
        int port = s.get(SHORT_BE, 2) & 0xffff;
        try {
            if (family == AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(s.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE)), port);
            }
            if (family == AF_INET6) {
                return new InetSocketAddress(InetAddress.getByAddress(s.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE)), port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }
}
