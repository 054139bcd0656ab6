package netwatcher.agent.capture;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The only code that touches libpcap (and the few libc calls the capture needs): FFM downcall
 * handles, linked once when this class is initialised, plus thin wrappers that turn libpcap's
 * return codes into {@link CaptureException}s carrying libpcap's own message.
 *
 * <p>Loading never throws: when {@code libpcap.so.0.8} (or {@code libpcap.so.1}) cannot be found,
 * {@link #loadError()} says why and every other method throws {@link CaptureException}. All
 * handles are warmed up on a dead handle at initialisation, because the first {@code invokeExact}
 * of a handle costs milliseconds (a cold stop path once took 17 ms instead of 0.5 ms).
 *
 * <p>Thread-safety: the bindings are stateless and may be called from any thread, but libpcap
 * itself requires that a {@code pcap_t} is used by one thread at a time, except
 * {@link #breakloop(MemorySegment)}, which is meant to be called from another thread.
 */
@SuppressWarnings("restricted") // FFM downcalls are the point of this class; run with --enable-native-access
final class Pcap {

    static final int PCAP_ERRBUF_SIZE = 256;
    static final int PCAP_ERROR = -1;
    static final int PCAP_ERROR_BREAK = -2;
    static final int PCAP_ERROR_TSTAMP_PRECISION_NOTSUP = -12;
    static final int PCAP_TSTAMP_PRECISION_MICRO = 0;
    static final int PCAP_TSTAMP_PRECISION_NANO = 1;
    static final int PCAP_CHAR_ENC_UTF_8 = 1;
    static final int PCAP_NETMASK_UNKNOWN = 0xffffffff;
    static final int DLT_EN10MB = 1;
    static final int DLT_LINUX_SLL2 = 276;
    static final int MAXIMUM_SNAPLEN = 262144;

    private static final int O_WRONLY = 01;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_CLOEXEC = 02000000;

    /** {@code struct bpf_program}: u_int bf_len; 4 bytes padding; struct bpf_insn *bf_insns (x86_64/aarch64). */
    static final StructLayout BPF_PROGRAM = MemoryLayout.structLayout(
            JAVA_INT.withName("bf_len"), MemoryLayout.paddingLayout(4), ADDRESS.withName("bf_insns"));

    /** {@code struct pcap_stat} on Linux: three unsigned 32-bit counters (12 bytes). */
    static final StructLayout PCAP_STAT = MemoryLayout.structLayout(
            JAVA_INT.withName("ps_recv"), JAVA_INT.withName("ps_drop"), JAVA_INT.withName("ps_ifdrop"));
    private static final VarHandle PS_RECV = PCAP_STAT.varHandle(MemoryLayout.PathElement.groupElement("ps_recv"));
    private static final VarHandle PS_DROP = PCAP_STAT.varHandle(MemoryLayout.PathElement.groupElement("ps_drop"));
    private static final VarHandle PS_IFDROP = PCAP_STAT.varHandle(MemoryLayout.PathElement.groupElement("ps_ifdrop"));

    private static final AddressLayout C_STRING = ADDRESS.withTargetLayout(
            MemoryLayout.sequenceLayout(4096, ValueLayout.JAVA_BYTE));

    /** Kernel counters as returned by {@code pcap_stats}, already widened from unsigned 32-bit. */
    record Stat(long received, long dropped, long interfaceDropped) {}

    private static final String LOAD_ERROR;
    private static final Handles H;

    static {
        String error = null;
        Handles handles = null;
        try {
            handles = new Handles(lookup());
            handles.warmUp();
        } catch (LibraryMissing e) {
            error = e.getMessage();
        } catch (Throwable e) {
            error = "libpcap could not be bound: " + e;
        }
        LOAD_ERROR = error;
        H = handles;
    }

    private Pcap() {}

    /** Why libpcap is unusable in this process, or empty when it is loaded and linked. */
    static Optional<String> loadError() { return Optional.ofNullable(LOAD_ERROR); }

    private static Handles h() {
        if (H == null) throw new CaptureException(LOAD_ERROR);
        return H;
    }

    private static final class LibraryMissing extends Exception {
        private static final long serialVersionUID = 1L;
        LibraryMissing(String message) { super(message); }
    }

    private static SymbolLookup lookup() throws LibraryMissing {
        for (String name : new String[] {"libpcap.so.0.8", "libpcap.so.1"}) {
            try {
                return SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException notFound) {
                // try the next SONAME: Debian ships .so.0.8, Fedora/RHEL/Alpine ship .so.1
            }
        }
        throw new LibraryMissing("libpcap.so.0.8 not found: install the Debian package libpcap0.8"
                + " (libpcap.so.1 on Fedora/RHEL/Alpine was not found either)");
    }

    /** Every downcall handle, linked once. */
    private static final class Handles {
        final MemorySegment pcapDump;
        final MethodHandle init, create, setSnaplen, setPromisc, setTimeout, setBufferSize, setTstampPrecision,
                activate, setDatalink, datalink, snapshot, compile, setfilter, freecode, geterr, statustostr,
                dumpFopen, dumpOpen, dispatch, breakloop, stats, dumpFlush, dumpFtell64, dumpClose, close,
                openDead, libVersion, findalldevs, freealldevs, libcOpen, fdopen, libcClose, ifNametoindex;

        Handles(SymbolLookup pcap) {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            pcapDump = find(pcap, "pcap_dump");
            init = link(linker, pcap, "pcap_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
            create = link(linker, pcap, "pcap_create", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
            setSnaplen = link(linker, pcap, "pcap_set_snaplen", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            setPromisc = link(linker, pcap, "pcap_set_promisc", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            setTimeout = link(linker, pcap, "pcap_set_timeout", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            setBufferSize = link(linker, pcap, "pcap_set_buffer_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            setTstampPrecision = link(linker, pcap, "pcap_set_tstamp_precision", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            activate = link(linker, pcap, "pcap_activate", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            setDatalink = link(linker, pcap, "pcap_set_datalink", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            datalink = link(linker, pcap, "pcap_datalink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            snapshot = link(linker, pcap, "pcap_snapshot", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            compile = link(linker, pcap, "pcap_compile",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
            setfilter = link(linker, pcap, "pcap_setfilter", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            freecode = link(linker, pcap, "pcap_freecode", FunctionDescriptor.ofVoid(ADDRESS));
            geterr = link(linker, pcap, "pcap_geterr", FunctionDescriptor.of(C_STRING, ADDRESS));
            statustostr = link(linker, pcap, "pcap_statustostr", FunctionDescriptor.of(C_STRING, JAVA_INT));
            dumpFopen = link(linker, pcap, "pcap_dump_fopen", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
            dumpOpen = link(linker, pcap, "pcap_dump_open", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
            dispatch = link(linker, pcap, "pcap_dispatch",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
            breakloop = link(linker, pcap, "pcap_breakloop", FunctionDescriptor.ofVoid(ADDRESS));
            stats = link(linker, pcap, "pcap_stats", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            dumpFlush = link(linker, pcap, "pcap_dump_flush", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            dumpFtell64 = link(linker, pcap, "pcap_dump_ftell64", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
            dumpClose = link(linker, pcap, "pcap_dump_close", FunctionDescriptor.ofVoid(ADDRESS));
            close = link(linker, pcap, "pcap_close", FunctionDescriptor.ofVoid(ADDRESS));
            openDead = link(linker, pcap, "pcap_open_dead_with_tstamp_precision",
                    FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
            libVersion = link(linker, pcap, "pcap_lib_version", FunctionDescriptor.of(C_STRING));
            findalldevs = link(linker, pcap, "pcap_findalldevs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            freealldevs = link(linker, pcap, "pcap_freealldevs", FunctionDescriptor.ofVoid(ADDRESS));
            libcOpen = linker.downcallHandle(find(libc, "open"),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
            fdopen = linker.downcallHandle(find(libc, "fdopen"), FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
            libcClose = linker.downcallHandle(find(libc, "close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            ifNametoindex = linker.downcallHandle(find(libc, "if_nametoindex"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        }

        private static MemorySegment find(SymbolLookup lookup, String name) {
            return lookup.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " missing"));
        }

        private static MethodHandle link(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd) {
            return linker.downcallHandle(find(lookup, name), fd);
        }

        /** Initialises libpcap for UTF-8 messages and runs every hot handle once on a dead handle. */
        void warmUp() throws Throwable {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment errbuf = arena.allocate(PCAP_ERRBUF_SIZE);
                int rc = (int) init.invokeExact(PCAP_CHAR_ENC_UTF_8, errbuf);
                if (rc != 0) throw new IllegalStateException("pcap_init: " + errbuf.getString(0));
                MemorySegment dead = (MemorySegment) openDead.invokeExact(DLT_EN10MB, MAXIMUM_SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
                try {
                    MemorySegment dumper = (MemorySegment) dumpOpen.invokeExact(dead, arena.allocateFrom("/dev/null"));
                    if (!dumper.equals(MemorySegment.NULL)) {
                        int ignoredCount = (int) dispatch.invokeExact(dead, 1, pcapDump, dumper);
                        long ignoredOffset = (long) dumpFtell64.invokeExact(dumper);
                        int ignoredFlush = (int) dumpFlush.invokeExact(dumper);
                        dumpClose.invokeExact(dumper);
                    }
                    MemorySegment stat = arena.allocate(PCAP_STAT);
                    int ignoredStats = (int) stats.invokeExact(dead, stat);
                    MemorySegment ignoredErr = (MemorySegment) geterr.invokeExact(dead);
                    breakloop.invokeExact(dead);
                } finally {
                    close.invokeExact(dead);
                }
            }
        }
    }

    // ---------------------------------------------------------------- wrappers

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    static String libVersion() {
        try {
            return ((MemorySegment) h().libVersion.invokeExact()).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The address of libpcap's own {@code pcap_dump}, passed to {@code pcap_dispatch} as the callback. */
    static MemorySegment pcapDumpCallback() { return h().pcapDump; }

    static MemorySegment create(String device, Arena arena) {
        MemorySegment errbuf = arena.allocate(PCAP_ERRBUF_SIZE);
        MemorySegment p;
        try {
            p = (MemorySegment) h().create.invokeExact(arena.allocateFrom(device), errbuf);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (p.equals(MemorySegment.NULL)) {
            throw new CaptureException("pcap_create(" + device + ") failed: " + errbuf.getString(0));
        }
        return p;
    }

    /** Applies a {@code pcap_set_*} option; they fail only when the handle is already active. */
    private static void option(MethodHandle setter, MemorySegment p, int value, String name) {
        int rc;
        try {
            rc = (int) setter.invokeExact(p, value);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) throw new CaptureException(name + "(" + value + ") failed: " + statusToString(rc));
    }

    static void setSnaplen(MemorySegment p, int snaplen) { option(h().setSnaplen, p, snaplen, "pcap_set_snaplen"); }

    static void setPromisc(MemorySegment p, boolean on) { option(h().setPromisc, p, on ? 1 : 0, "pcap_set_promisc"); }

    static void setTimeout(MemorySegment p, int millis) { option(h().setTimeout, p, millis, "pcap_set_timeout"); }

    static void setBufferSize(MemorySegment p, int bytes) { option(h().setBufferSize, p, bytes, "pcap_set_buffer_size"); }

    /** Asks for nanosecond timestamps; returns false when the device only offers microseconds. */
    static boolean setNanosecondPrecision(MemorySegment p) {
        int rc;
        try {
            rc = (int) h().setTstampPrecision.invokeExact(p, PCAP_TSTAMP_PRECISION_NANO);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == PCAP_ERROR_TSTAMP_PRECISION_NOTSUP) return false;
        if (rc != 0) throw new CaptureException("pcap_set_tstamp_precision failed: " + statusToString(rc));
        return true;
    }

    /** Activates the handle; returns libpcap's warning text ({@code rc > 0}) or null. */
    static String activate(MemorySegment p, String device) {
        int rc;
        try {
            rc = (int) h().activate.invokeExact(p);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc < 0) {
            String detail = geterr(p);
            throw new CaptureException("cannot capture on interface '" + device + "': " + statusToString(rc)
                    + (detail.isBlank() ? "" : " (" + detail + ")"));
        }
        return rc > 0 ? statusToString(rc) + ": " + geterr(p) : null;
    }

    static void setDatalink(MemorySegment p, int linktype) {
        int rc;
        try {
            rc = (int) h().setDatalink.invokeExact(p, linktype);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) throw new CaptureException("pcap_set_datalink(" + linktype + ") failed: " + geterr(p));
    }

    static int datalink(MemorySegment p) {
        try {
            return (int) h().datalink.invokeExact(p);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int snapshot(MemorySegment p) {
        try {
            return (int) h().snapshot.invokeExact(p);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pcap_compile is documented as not reentrant before 1.8; serialise it anyway, it is rare and cheap. */
    private static final Object COMPILE_LOCK = new Object();
    /**
     * Every {@code pcap_compile} this process ran ({@link CaptureEngine#filterCompilations()}); a holder
     * class of its own, so reading it does not load libpcap.
     */
    static final class Compiles {
        private static final LongAdder COUNT = new LongAdder();

        private Compiles() {}

        static long sum() { return COUNT.sum(); }
    }

    /** Compiles {@code filter} for {@code p} into a {@code bpf_program} allocated in {@code arena}. */
    static MemorySegment compile(MemorySegment p, String filter, Arena arena) {
        MemorySegment program = arena.allocate(BPF_PROGRAM);
        int rc;
        Compiles.COUNT.increment();
        synchronized (COMPILE_LOCK) {
            try {
                rc = (int) h().compile.invokeExact(p, program, arena.allocateFrom(filter), 1, PCAP_NETMASK_UNKNOWN);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc != 0) {
                String shown = filter.length() > 200 ? filter.substring(0, 200) + "..." : filter;
                throw new CaptureException(CaptureException.Problem.FILTER, "BPF filter '" + shown + "' does not compile: "
                        + geterr(p), null);
            }
        }
        return program;
    }

    static void setFilter(MemorySegment p, MemorySegment program, String filter) {
        int rc;
        try {
            rc = (int) h().setfilter.invokeExact(p, program);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) throw new CaptureException("cannot install BPF filter '" + filter + "': " + geterr(p));
    }

    static void freecode(MemorySegment program) {
        try {
            h().freecode.invokeExact(program);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static String geterr(MemorySegment p) {
        try {
            return ((MemorySegment) h().geterr.invokeExact(p)).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static String statusToString(int status) {
        try {
            return ((MemorySegment) h().statustostr.invokeExact(status)).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Creates {@code path} exclusively ({@code O_CREAT|O_EXCL|O_NOFOLLOW}: an existing file or a
     * symbolic link in its place is refused) and opens a dumper on it. libpcap writes the pcap file
     * header into the stdio buffer; the caller flushes it.
     */
    static MemorySegment dumpCreate(MemorySegment p, String path, Arena arena) {
        Handles h = h();
        try {
            int fd = (int) h.libcOpen.invokeExact(arena.allocateFrom(path),
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
            if (fd < 0) {
                throw new CaptureException("cannot create capture file " + path
                        + " (it must not exist yet and must not be a symbolic link)");
            }
            MemorySegment file = (MemorySegment) h.fdopen.invokeExact(fd, arena.allocateFrom("w"));
            if (file.equals(MemorySegment.NULL)) {
                int ignored = (int) h.libcClose.invokeExact(fd);
                throw new CaptureException("fdopen failed for capture file " + path);
            }
            MemorySegment dumper = (MemorySegment) h.dumpFopen.invokeExact(p, file);
            if (dumper.equals(MemorySegment.NULL)) {
                throw new CaptureException("pcap_dump_fopen(" + path + ") failed: " + geterr(p));
            }
            return dumper;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * One batch: hands up to {@code count} packets to libpcap's {@code pcap_dump}, entirely in C.
     * Returns the number of packets processed, {@link #PCAP_ERROR_BREAK} after {@link #breakloop}
     * (packets written in that call are then not counted) or {@link #PCAP_ERROR}.
     */
    static int dispatch(MemorySegment p, int count, MemorySegment dumper) {
        try {
            return (int) h().dispatch.invokeExact(p, count, h().pcapDump, dumper);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Makes a running or the next {@code pcap_dispatch} on {@code p} return -2; callable from any thread. */
    static void breakloop(MemorySegment p) {
        try {
            h().breakloop.invokeExact(p);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static Stat stats(MemorySegment p, MemorySegment statBuffer) {
        int rc;
        try {
            rc = (int) h().stats.invokeExact(p, statBuffer);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) return null;
        return new Stat(Integer.toUnsignedLong((int) PS_RECV.get(statBuffer, 0L)),
                Integer.toUnsignedLong((int) PS_DROP.get(statBuffer, 0L)),
                Integer.toUnsignedLong((int) PS_IFDROP.get(statBuffer, 0L)));
    }

    static void dumpFlush(MemorySegment dumper) {
        int rc;
        try {
            rc = (int) h().dumpFlush.invokeExact(dumper);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) throw new CaptureException("writing the capture file failed (pcap_dump_flush)");
    }

    /** Bytes written to the file so far, including what is still in the stdio buffer. */
    static long dumpFtell(MemorySegment dumper) {
        try {
            return (long) h().dumpFtell64.invokeExact(dumper);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void dumpClose(MemorySegment dumper) {
        try {
            h().dumpClose.invokeExact(dumper);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void close(MemorySegment p) {
        try {
            h().close.invokeExact(p);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A handle with no device, for compiling filters against a link type. */
    static MemorySegment openDead(int linktype, int snaplen) {
        try {
            MemorySegment p = (MemorySegment) h().openDead.invokeExact(linktype, snaplen, PCAP_TSTAMP_PRECISION_NANO);
            if (p.equals(MemorySegment.NULL)) throw new CaptureException("pcap_open_dead(" + linktype + ") failed");
            return p;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- interfaces

    static final int PCAP_IF_LOOPBACK = 0x1;
    static final int PCAP_IF_UP = 0x2;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    /** One entry of {@code pcap_findalldevs}: name, {@code PCAP_IF_*} flags and addresses. */
    record Device(String name, int flags, java.util.List<java.net.InetAddress> addresses) {
        boolean up() { return (flags & PCAP_IF_UP) != 0; }

        boolean loopback() { return (flags & PCAP_IF_LOOPBACK) != 0; }
    }

    /**
     * Lists devices with {@code pcap_findalldevs}, which asks the kernel over netlink
     * ({@code getifaddrs}) from the calling thread, so it sees that thread's network namespace
     * (the JDK's {@code NetworkInterface} reads {@code /proc/net}, which is the process's).
     * Layouts (LP64): {@code pcap_if {next, name, description, addresses, u_int flags}},
     * {@code pcap_addr {next, addr, netmask, broadaddr, dstaddr}}, {@code sockaddr_in} address at 4,
     * {@code sockaddr_in6} address at 8.
     */
    static java.util.List<Device> findAllDevices() {
        java.util.List<Device> devices = new java.util.ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errbuf = arena.allocate(PCAP_ERRBUF_SIZE);
            MemorySegment head = arena.allocate(ADDRESS);
            int rc = (int) h().findalldevs.invokeExact(head, errbuf);
            if (rc != 0) throw new CaptureException("pcap_findalldevs failed: " + errbuf.getString(0));
            MemorySegment first = head.get(ADDRESS, 0);
            try {
                for (MemorySegment dev = first; !dev.equals(MemorySegment.NULL); ) {
                    MemorySegment entry = dev.reinterpret(40);
                    String name = entry.get(ADDRESS, 8).reinterpret(Integer.MAX_VALUE).getString(0);
                    int flags = entry.get(JAVA_INT, 32);
                    java.util.List<java.net.InetAddress> addresses = new java.util.ArrayList<>();
                    for (MemorySegment a = entry.get(ADDRESS, 24); !a.equals(MemorySegment.NULL); ) {
                        MemorySegment pa = a.reinterpret(40);
                        MemorySegment sockaddr = pa.get(ADDRESS, 8);
                        if (!sockaddr.equals(MemorySegment.NULL)) {
                            java.net.InetAddress address = inetAddress(sockaddr.reinterpret(28));
                            if (address != null) addresses.add(address);
                        }
                        a = pa.get(ADDRESS, 0);
                    }
                    devices.add(new Device(name, flags, java.util.List.copyOf(addresses)));
                    dev = entry.get(ADDRESS, 0);
                }
            } finally {
                h().freealldevs.invokeExact(first);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return devices;
    }

    private static java.net.InetAddress inetAddress(MemorySegment sockaddr) throws java.net.UnknownHostException {
        int family = Short.toUnsignedInt(sockaddr.get(ValueLayout.JAVA_SHORT, 0));
        if (family == AF_INET) {
            return java.net.InetAddress.getByAddress(sockaddr.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE));
        }
        if (family == AF_INET6) {
            return java.net.Inet6Address.getByAddress(null, sockaddr.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE), -1);
        }
        return null;
    }

    /** The interface index of {@code name} in the calling thread's network namespace, or 0 when there is none. */
    static int ifIndex(String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) h().ifNametoindex.invokeExact(arena.allocateFrom(name));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
