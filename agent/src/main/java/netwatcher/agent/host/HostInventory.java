package netwatcher.agent.host;

import netwatcher.model.agent.HostNames;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;
import netwatcher.model.agent.RouteTableReport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent sees of its host, as the {@link HostReport} it registers: the network interfaces
 * (name, MAC, addresses in CIDR form; loopback, down and excluded interfaces ({@link InterfaceExclusions})
 * and IPv6 link-local addresses left out), the OS name from {@code /etc/os-release}, and the problems that keep it from
 * capturing: libpcap missing, or {@code CAP_NET_RAW}/{@code CAP_NET_ADMIN} missing from the
 * process's effective capabilities ({@code CapEff} in {@code /proc/self/status}). Each
 * {@link #snapshot()} reads the host afresh. Thread-safe.
 */
public final class HostInventory {
    private static final Logger LOG = LoggerFactory.getLogger(HostInventory.class);
    /** The problem reported when libpcap cannot be loaded. */
    public static final String LIBPCAP_MISSING =
            "libpcap not found: install the package libpcap0.8 (Debian/Ubuntu) or libpcap (RHEL/Fedora)";
    static final int CAP_NET_ADMIN = 12;
    static final int CAP_NET_RAW = 13;

    private final String agentVersion;
    private final String hostname;
    private final InterfaceExclusions excluded;
    private final Supplier<Optional<String>> captureProblem;
    private final Path osRelease;
    private final Path procStatus;
    private volatile Supplier<List<RouteTableReport>> routeTables = List::of;
    private volatile String scaleSet;

    /**
     * @param captureProblem the capture engine's reason it cannot run, if any (added to the problems)
     */
    public HostInventory(String agentVersion, String hostname, Set<String> ignoredInterfaces,
                         Supplier<Optional<String>> captureProblem) {
        this(agentVersion, hostname, ignoredInterfaces, captureProblem, Path.of("/etc/os-release"),
                Path.of("/proc/self/status"));
    }

    HostInventory(String agentVersion, String hostname, Set<String> ignoredInterfaces,
                  Supplier<Optional<String>> captureProblem, Path osRelease, Path procStatus) {
        this.agentVersion = agentVersion;
        this.hostname = hostname;
        this.excluded = InterfaceExclusions.of(ignoredInterfaces);
        this.captureProblem = captureProblem;
        this.osRelease = osRelease;
        this.procStatus = procStatus;
    }

    /**
     * Where {@link #snapshot()} reads the host's kernel routing tables from (none by default); a reader that fails
     * leaves them out of the report.
     */
    public HostInventory withRouteTables(Supplier<List<RouteTableReport>> reader) {
        this.routeTables = reader;
        return this;
    }

    /** Reports the host as an instance of scale set {@code name} ({@code --scale-set}; null: a stand-alone VM). */
    public HostInventory withScaleSet(String name) {
        this.scaleSet = name;
        return this;
    }

    /** The host as it is now. */
    public HostReport snapshot() {
        List<String> problems = new ArrayList<>();
        if (!libpcapLoadable()) problems.add(LIBPCAP_MISSING);
        problems.addAll(capabilityProblems(readOrEmpty(procStatus)));
        if (problems.isEmpty()) captureProblem.get().ifPresent(problems::add); // the engine's own words, if it sees more
        List<String> capabilities = problems.isEmpty() ? List.of("capture") : List.of();
        // a kernel host name the controller would refuse ("(none)") is left out: the VM name stands in
        return new HostReport(agentVersion, HostNames.hostname(hostname) ? hostname : null, osName(readOrEmpty(osRelease)), interfaces(excluded),
                capabilities, problems, routeTables(), scaleSet);
    }

    private List<RouteTableReport> routeTables() {
        try {
            return routeTables.get();
        } catch (RuntimeException e) {
            LOG.debug("route tables left out of the host report: {}", e.getMessage());
            return List.of();
        }
    }

    /** As {@link #interfaces(InterfaceExclusions)} for the {@code ignore-interfaces} entries {@code ignored}. */
    public static List<NicReport> interfaces(Set<String> ignored) {
        return interfaces(InterfaceExclusions.of(ignored));
    }

    /** Non-loopback, up, not-excluded interfaces by index; the first with an address is primary. */
    public static List<NicReport> interfaces(InterfaceExclusions excluded) {
        List<NetworkInterface> nics = new ArrayList<>();
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                if (nic.isLoopback() || !nic.isUp() || excluded.excludes(nic.getName())) continue;
                if (!HostNames.interfaceName(nic.getName())) {
                    // the controller refuses the whole report for such a name; leave the interface out instead
                    LOG.atWarn().addKeyValue("interface", nic.getName()).log("interface left out of the host report: its name is"
                            + " not 1-15 of A-Z a-z 0-9 _ . - (add it to the ignored interfaces to silence this)");
                    continue;
                }
                nics.add(nic);
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list network interfaces: " + e.getMessage(), e);
        }
        nics.sort(Comparator.comparingInt(NetworkInterface::getIndex));
        List<NicReport> out = new ArrayList<>();
        boolean primaryTaken = false;
        Set<InetAddress> seen = new java.util.HashSet<>();
        for (NetworkInterface nic : nics) {
            List<String> addresses = new ArrayList<>();
            for (InterfaceAddress ia : nic.getInterfaceAddresses()) {
                InetAddress a = ia.getAddress();
                if (a == null || a.isLinkLocalAddress() || a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()) continue;
                if (!seen.add(a)) continue; // one address on two interfaces: an address has one owner, the first
                if (addresses.size() >= 64) break; // the controller's limit per NIC
                addresses.add(literal(a) + "/" + ia.getNetworkPrefixLength());
            }
            addresses.sort(Comparator.comparing((String s) -> s.contains(":")).thenComparing(s -> s));
            boolean primary = !primaryTaken && !addresses.isEmpty();
            primaryTaken |= primary;
            out.add(new NicReport(nic.getName(), mac(nic), addresses, primary));
        }
        return out;
    }

    /** {@code PRETTY_NAME} of an os-release file, else {@code NAME VERSION_ID}, else "Linux". */
    static String osName(String osRelease) {
        String pretty = null;
        String name = null;
        String version = null;
        for (String line : osRelease.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0) continue;
            String key = line.substring(0, eq).trim();
            String value = line.substring(eq + 1).trim().replaceAll("^\"|\"$", "");
            switch (key) {
                case "PRETTY_NAME" -> pretty = value;
                case "NAME" -> name = value;
                case "VERSION_ID" -> version = value;
                default -> { }
            }
        }
        if (pretty != null && !pretty.isBlank()) return pretty;
        if (name != null) return version == null ? name : name + " " + version;
        return "Linux";
    }

    /** Problems for CAP_NET_RAW / CAP_NET_ADMIN missing from {@code CapEff} of a /proc status text. */
    static List<String> capabilityProblems(String procStatus) {
        long effective = -1;
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("CapEff:")) effective = Long.parseUnsignedLong(line.substring(7).trim(), 16);
        }
        if (effective == -1 && procStatus.isBlank()) return List.of(); // not Linux procfs: nothing to say
        List<String> problems = new ArrayList<>();
        String hint = ": run the agent as root or give it AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN (the "
                + "netwatcher-agent systemd unit does)";
        if ((effective & (1L << CAP_NET_RAW)) == 0) problems.add("CAP_NET_RAW missing" + hint);
        if ((effective & (1L << CAP_NET_ADMIN)) == 0) problems.add("CAP_NET_ADMIN missing" + hint);
        return problems;
    }

    /** Whether the dynamic linker finds libpcap under one of its usual sonames. */
    public static boolean libpcapLoadable() {
        for (String name : List.of("libpcap.so.0.8", "libpcap.so.1", "libpcap.so")) {
            try {
                SymbolLookup.libraryLookup(name, Arena.global());
                return true;
            } catch (IllegalArgumentException | IllegalCallerException e) {
                // try the next soname
            }
        }
        return false;
    }

    private static String literal(InetAddress a) {
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        if (pct >= 0) s = s.substring(0, pct);
        if (a instanceof Inet6Address) {
            try {
                s = InetAddress.getByName(s).getHostAddress(); // canonical form
                return compress(s);
            } catch (IOException e) {
                return s;
            }
        }
        return s;
    }

    /** RFC 5952-ish compression of Java's full IPv6 form (2001:2:0:0:0:0:0:10 → 2001:2::10). */
    static String compress(String full) {
        String[] parts = full.split(":");
        if (parts.length != 8) return full;
        for (int i = 0; i < 8; i++) parts[i] = parts[i].replaceFirst("^0+(?=.)", "");
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (!parts[i].equals("0")) { i++; continue; }
            int j = i;
            while (j < 8 && parts[j].equals("0")) j++;
            if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        if (bestStart < 0) return String.join(":", parts);
        String left = String.join(":", java.util.Arrays.copyOfRange(parts, 0, bestStart));
        String right = String.join(":", java.util.Arrays.copyOfRange(parts, bestStart + bestLen, 8));
        return left + "::" + right;
    }

    private static String mac(NetworkInterface nic) {
        try {
            byte[] hw = nic.getHardwareAddress();
            if (hw == null || hw.length == 0) return null;
            return HexFormat.ofDelimiter(":").formatHex(hw);
        } catch (SocketException e) {
            return null;
        }
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
