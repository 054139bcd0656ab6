package netwatcher.agent.capture;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Facts about this host's capture ability: whether libpcap and the privileges are there, which
 * interfaces and addresses a capture covers by default, and whether a filter compiles.
 *
 * <p>Initialising this class loads libpcap, links and warms up every downcall handle and starts
 * the capture timer thread, so call {@link #unavailableReason()} once at agent start-up (and, in
 * tests that enter network namespaces, from a thread in the host namespace: threads inherit the
 * namespace of the thread that creates them).
 *
 * <p>Thread-safety: all methods are thread-safe. Interface and address lookups see the network
 * namespace of the calling thread.
 */
public final class CaptureEngine {
    /**
     * Stack of every thread that runs {@code pcap_compile} (filter checks here, the capture thread of
     * {@link CaptureSession}). libpcap's parser, code generator and optimiser recurse with the depth
     * of the expression: the agent's default 256 KiB ({@code -Xss256k}) overflowed (SIGSEGV, the whole
     * JVM) at 45,000 characters, 1 MiB at 180,000. 64 MiB is far beyond what the longest allowed
     * expression ({@link netwatcher.model.capture.BpfFilters#MAX_EXPRESSION_CHARS}) needs; it is
     * address space, only the pages really used are committed.
     */
    public static final long COMPILE_STACK_BYTES = 64L << 20;
    /**
     * How long a filter check may take before it is abandoned and the capture fails. The longest
     * allowed expression of the slowest shape compiles in about a second; this is a backstop, not a
     * budget.
     */
    public static final Duration COMPILE_TIMEOUT = Duration.ofSeconds(30);

    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_NET_RAW = 13;

    static {
        CaptureTimer.start();
    }

    private CaptureEngine() {}

    /**
     * Why this process cannot capture, or empty when it can: libpcap is missing
     * ({@code libpcap.so.0.8 not found: install the Debian package libpcap0.8}) or the process
     * lacks CAP_NET_RAW (read from {@code CapEff} in {@code /proc/self/status}).
     */
    public static Optional<String> unavailableReason() {
        Optional<String> load = Pcap.loadError();
        if (load.isPresent()) return load;
        return capabilityProblem(Path.of("/proc/self/status"));
    }

    static Optional<String> capabilityProblem(Path status) {
        String capEff;
        try {
            capEff = Files.readAllLines(status).stream()
                    .filter(line -> line.startsWith("CapEff:")).map(line -> line.substring(7).strip())
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return Optional.empty(); // not Linux procfs: let pcap_activate report the real error
        }
        if (capEff == null) return Optional.empty();
        long caps = Long.parseUnsignedLong(capEff, 16);
        boolean raw = (caps & (1L << CAP_NET_RAW)) != 0;
        boolean admin = (caps & (1L << CAP_NET_ADMIN)) != 0;
        if (!raw) {
            return Optional.of("capture needs the capability CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode);"
                    + " this process has CapEff=" + capEff + " (CAP_NET_RAW " + (raw ? "present" : "missing")
                    + ", CAP_NET_ADMIN " + (admin ? "present" : "missing") + "). Run the agent as root or grant"
                    + " AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN in its systemd unit");
        }
        return Optional.empty();
    }

    /** libpcap's version string, e.g. {@code libpcap version 1.10.3 (with TPACKET_V3)}. */
    public static String libraryVersion() { return Pcap.libVersion(); }

    /**
     * Compiles {@code bpf} for {@code linktype} on a dead handle ({@code pcap_open_dead}), without
     * touching any interface, on a thread of its own with a {@link #COMPILE_STACK_BYTES} stack, and
     * waits at most {@link #COMPILE_TIMEOUT}.
     *
     * @param linktype 1 (EN10MB) for one Ethernet interface, 276 (LINUX_SLL2) for several
     * @throws CaptureException with libpcap's message when the filter does not compile, or when the
     *                          compilation did not finish in time (its thread is abandoned)
     */
    public static void checkFilter(String bpf, int linktype) {
        checkFilter(bpf, linktype, COMPILE_TIMEOUT);
    }

    static void checkFilter(String bpf, int linktype, Duration timeout) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("netwatcher-filter-check").daemon(true).stackSize(COMPILE_STACK_BYTES).start(() -> {
            try {
                compileOnThisThread(bpf, linktype);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new CaptureException(CaptureException.Problem.FILTER, compileTimedOut(bpf, timeout), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CaptureException ce) throw new CaptureException(ce.problem(), ce.getMessage(), ce);
            throw new CaptureException(CaptureException.Problem.FILTER,
                    "compiling the packet filter failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("interrupted while compiling the packet filter", e);
        }
    }

    /** Why a compile of {@code bpf} was abandoned after {@code timeout}: one wording for every compile. */
    static String compileTimedOut(String bpf, Duration timeout) {
        return "the packet filter of " + (bpf == null ? 0 : bpf.length()) + " characters did not compile within "
                + timeout.toSeconds() + " s; it was abandoned";
    }

    /**
     * How many times this process has run {@code pcap_compile}: filter checks here and the one compile
     * of each {@link CaptureSession} start. Tests read it to prove that a capture's filter is compiled
     * once per start.
     */
    public static long filterCompilations() { return Pcap.Compiles.sum(); }

    /**
     * Refuses a capture when the file system of {@code directory} has less than {@code floorBytes}
     * usable; the one place that decides this at start ({@link CaptureSession} calls it before it
     * opens anything; while it runs the session ends with {@link EndCause#DISK_FLOOR} instead).
     *
     * @throws CaptureException with {@link CaptureException.Problem#DISK_FLOOR} naming free space and floor
     * @throws IOException      when the free space cannot be read
     */
    public static void requireFreeSpace(FileStore store, Path directory, long floorBytes) throws IOException {
        long free = store.getUsableSpace();
        if (free < floorBytes) {
            throw new CaptureException(CaptureException.Problem.DISK_FLOOR, "only " + mib(free) + " free on the file system of "
                    + directory + ", under the agent's floor of " + mib(floorBytes) + "; free space and start again", null);
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    /** The check itself, on the calling thread's stack (which must be large enough, see {@link #COMPILE_STACK_BYTES}). */
    static void compileOnThisThread(String bpf, int linktype) {
        MemorySegment dead = Pcap.openDead(linktype, CaptureOptions.WHOLE_PACKET);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment program = Pcap.compile(dead, bpf == null ? "" : bpf, arena);
            Pcap.freecode(program);
        } finally {
            Pcap.close(dead);
        }
    }

    /**
     * The interfaces a capture covers when it names none: every interface that is up, is not
     * loopback and carries at least one address that is not link-local, sorted by name. Read with
     * {@code pcap_findalldevs} in the calling thread's network namespace.
     */
    public static List<String> hostInterfaces() {
        List<String> names = new ArrayList<>();
        for (Pcap.Device device : devices()) names.add(device.name());
        names.sort(null);
        return List.copyOf(names);
    }

    /** The addresses of {@link #hostInterfaces()}: the "local" side of filters that name no local address. */
    public static List<InetAddress> hostAddresses() {
        List<InetAddress> addresses = new ArrayList<>();
        for (Pcap.Device device : devices()) addresses.addAll(device.addresses());
        return List.copyOf(addresses);
    }

    private static List<Pcap.Device> devices() {
        List<Pcap.Device> devices = new ArrayList<>();
        for (Pcap.Device device : Pcap.findAllDevices()) {
            if (!device.up() || device.loopback()) continue;
            List<InetAddress> registered = device.addresses().stream().filter(CaptureEngine::registered).toList();
            if (!registered.isEmpty()) devices.add(new Pcap.Device(device.name(), device.flags(), registered));
        }
        return devices;
    }

    private static boolean registered(InetAddress address) {
        return !address.isLoopbackAddress() && !address.isLinkLocalAddress() && !address.isAnyLocalAddress()
                && !address.isMulticastAddress();
    }
}
