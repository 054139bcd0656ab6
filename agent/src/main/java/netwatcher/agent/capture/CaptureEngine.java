package netwatcher.agent.capture;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
     * touching any interface.
     *
     * @param linktype 1 (EN10MB) for one Ethernet interface, 276 (LINUX_SLL2) for several
     * @throws CaptureException with libpcap's message when the filter does not compile
     */
    public static void checkFilter(String bpf, int linktype) {
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
     * loopback and carries at least one address that is not link-local, sorted by name.
     */
    public static List<String> hostInterfaces() {
        List<String> names = new ArrayList<>();
        for (NetworkInterface nic : nics()) {
            if (nic.inetAddresses().anyMatch(CaptureEngine::registered)) names.add(nic.getName());
        }
        names.sort(null);
        return List.copyOf(names);
    }

    /** The addresses of {@link #hostInterfaces()}: the "local" side of filters that name no local address. */
    public static List<InetAddress> hostAddresses() {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface nic : nics()) {
            nic.inetAddresses().filter(CaptureEngine::registered).forEach(addresses::add);
        }
        return List.copyOf(addresses);
    }

    private static boolean registered(InetAddress address) {
        return !address.isLoopbackAddress() && !address.isLinkLocalAddress()
                && !(address instanceof Inet6Address v6 && v6.isMulticastAddress());
    }

    private static List<NetworkInterface> nics() {
        try {
            List<NetworkInterface> up = new ArrayList<>();
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                if (nic.isUp() && !nic.isLoopback() && !nic.isVirtual()) up.add(nic);
            }
            return up;
        } catch (SocketException e) {
            throw new CaptureException("cannot list network interfaces: " + e.getMessage(), e);
        }
    }
}
