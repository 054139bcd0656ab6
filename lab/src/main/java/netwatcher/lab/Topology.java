package netwatcher.lab;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a lab builds: segments (one bridge each), hosts (one network namespace each) with their
 * interfaces, routes, nftables tables and services, and where the lab's DNS server runs. Read from
 * the JSON format documented in {@code docs/lab.md} ({@link #read(Path)}); {@link #defaultLab()} is
 * {@code lab/topologies/default.json}.
 *
 * <p>The constructor checks everything that can be checked without touching the kernel: names,
 * references between hosts and segments, and that every address, prefix and gateway lies in the
 * lab's address space (198.18.0.0/15, 2001:2::/48). Immutable and thread-safe.
 *
 * @param format      file format version, always 1
 * @param description free text
 * @param dns         where the lab resolver runs and the lab's domain
 * @param segments    the layer-2 segments
 * @param hosts       the hosts, in creation order
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Topology(int format, String description, Dns dns, List<Segment> segments, List<Host> hosts) {

    /** Host and segment names: short, lower case, usable inside interface and namespace names. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]{0,7}");
    private static final Pattern INTERFACE = Pattern.compile("[a-z][a-z0-9]{0,14}");
    private static final Pattern NFT_NAME = Pattern.compile("nw[A-Za-z0-9_]{0,30}");
    private static final Set<String> NFT_FAMILIES = Set.of("ip", "ip6", "inet", "arp", "bridge", "netdev");

    /** The lab resolver: a dnsmasq in {@code host} answering for {@code domain} and nothing else. */
    public record Dns(String host, String domain) {
        public Dns {
            require(host != null && NAME.matcher(host).matches(), "dns.host", "'" + host + "' is not a host name");
            require(domain != null && domain.matches("[a-z0-9]+(\\.[a-z0-9]+)*"), "dns.domain", "'" + domain + "' is not a domain");
        }
    }

    /**
     * A layer-2 segment: a bridge that joins the interfaces naming it.
     *
     * @param prefixes the subnets in use on the segment; every interface address on it lies in one
     */
    public record Segment(String name, List<String> prefixes) {
        public Segment {
            require(name != null && NAME.matcher(name).matches(), "segments[" + name + "]", "name must match " + NAME);
            prefixes = prefixes == null ? List.of() : List.copyOf(prefixes);
            for (String prefix : prefixes) labCidr("segments[" + name + "].prefixes", prefix);
        }
    }

    /**
     * A host: one network namespace.
     *
     * @param agent      whether a netwatcher agent runs on it (and it gets a management NIC)
     * @param forwarding whether it routes (net.ipv4.ip_forward and IPv6 forwarding on)
     * @param scaleSet   the scale set its agent joins ({@code --scale-set}), or null; only for agent hosts
     */
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public record Host(String name, boolean agent, boolean forwarding, List<Interface> interfaces,
                       List<Route> routes, List<NftTable> nftables, List<Service> services, String scaleSet) {
        public Host {
            require(name != null && NAME.matcher(name).matches(), "hosts[" + name + "]", "name must match " + NAME);
            interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
            routes = routes == null ? List.of() : List.copyOf(routes);
            nftables = nftables == null ? List.of() : List.copyOf(nftables);
            services = services == null ? List.of() : List.copyOf(services);
            require(!interfaces.isEmpty(), "hosts[" + name + "]", "has no interfaces");
            require(scaleSet == null || (agent && scaleSet.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")), "hosts[" + name + "].scaleSet",
                    "needs an agent host and 1-64 letters, digits, '.', '_' or '-', got '" + scaleSet + "'");
            Set<String> seen = new HashSet<>();
            for (Interface nic : interfaces) {
                require(seen.add(nic.name()), "hosts[" + name + "].interfaces", "duplicate interface " + nic.name());
                require(!nic.name().equals("mgmt0") && !nic.name().equals("lo"), "hosts[" + name + "].interfaces",
                        "'" + nic.name() + "' is reserved");
            }
            Set<String> tables = new HashSet<>();
            for (NftTable table : nftables) {
                require(tables.add(table.family() + " " + table.name()), "hosts[" + name + "].nftables",
                        "duplicate table " + table.family() + " " + table.name());
            }
        }

        /** The first IPv4 address of the first interface that has one: the host's name in DNS. */
        public Optional<String> primaryIpv4() {
            return primary(false);
        }

        /** The first IPv6 address of the first interface that has one. */
        public Optional<String> primaryIpv6() {
            return primary(true);
        }

        private Optional<String> primary(boolean ipv6) {
            for (Interface nic : interfaces) {
                for (String address : nic.addresses()) {
                    Cidr cidr = Cidr.parse(address);
                    if (cidr.ipv6() == ipv6) return Optional.of(cidr.addressText());
                }
            }
            return Optional.empty();
        }
    }

    /**
     * A NIC: a veth whose other end is plugged into {@code segment}'s bridge.
     *
     * @param name      interface name inside the host, e.g. {@code eth0}
     * @param addresses addresses with prefix length, e.g. {@code 198.18.1.10/24}
     */
    public record Interface(String name, String segment, List<String> addresses) {
        public Interface {
            require(name != null && INTERFACE.matcher(name).matches(), "interfaces[" + name + "]", "name must match " + INTERFACE);
            require(segment != null, "interfaces[" + name + "].segment", "missing");
            addresses = addresses == null ? List.of() : List.copyOf(addresses);
            for (String address : addresses) labCidr("interfaces[" + name + "].addresses", address);
        }
    }

    /**
     * A static route: {@code to} is a prefix or {@code default}; the family follows {@code via}.
     */
    public record Route(String to, String via) {
        public Route {
            require(to != null, "routes.to", "missing");
            require(via != null, "routes.via", "missing");
            InetAddress gateway = literal("routes[" + to + "].via", via);
            boolean ipv6 = gateway.getAddress().length == 16;
            require(new Cidr(gateway, ipv6 ? 128 : 32).inLabSpace(), "routes[" + to + "].via", via + " is outside the lab address space");
            if (!to.equals("default")) {
                Cidr destination = labCidr("routes[" + to + "].to", to);
                require(destination.ipv6() == ipv6, "routes[" + to + "]", "destination and gateway differ in family");
            }
        }

        public boolean ipv6() {
            return Cidr.parse(via).ipv6();
        }
    }

    /**
     * An nftables table created in the host's namespace: {@code table <family> <name> { <body> }}.
     *
     * @param name table name, must start with {@code nw}
     * @param body lines of the table body (chains, sets, rules) in nft syntax
     */
    public record NftTable(String family, String name, List<String> body) {
        public NftTable {
            require(family != null && NFT_FAMILIES.contains(family), "nftables[" + name + "].family", "'" + family + "' is not one of " + NFT_FAMILIES);
            require(name != null && NFT_NAME.matcher(name).matches(), "nftables[" + name + "].name", "must match " + NFT_NAME);
            body = body == null ? List.of() : List.copyOf(body);
        }

        /** The whole table as an nft script. */
        public String script() {
            return "table " + family + " " + name + " {\n  " + String.join("\n  ", body) + "\n}\n";
        }
    }

    /**
     * A server the lab runs in the host ({@link LabServers}): {@code tcp} accepts and echoes,
     * {@code http} and {@code https} answer {@code /} and {@code /status/NNN}. An https service's
     * certificate names {@code <host>.<domain>} plus {@code names}.
     */
    public record Service(String kind, int port, List<String> names) {
        public Service {
            require(kind != null && Set.of("tcp", "http", "https").contains(kind), "services.kind", "'" + kind + "' is not tcp, http or https");
            require(port > 0 && port < 65536, "services[" + kind + "].port", port + " is not a port");
            names = names == null ? List.of() : List.copyOf(names);
        }
    }

    public Topology {
        require(format == 1, "format", "unsupported format " + format + " (this version reads format 1)");
        segments = segments == null ? List.of() : List.copyOf(segments);
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        require(!hosts.isEmpty(), "hosts", "no hosts");
        Set<String> segmentNames = new HashSet<>();
        for (Segment segment : segments) {
            require(segmentNames.add(segment.name()), "segments", "duplicate segment " + segment.name());
        }
        Set<String> hostNames = new HashSet<>();
        for (Host host : hosts) {
            require(hostNames.add(host.name()), "hosts", "duplicate host " + host.name());
            require(!host.name().equals("fab"), "hosts[fab]", "'fab' is the lab fabric's namespace");
            for (Interface nic : host.interfaces()) {
                String where = "hosts[" + host.name() + "].interfaces[" + nic.name() + "]";
                Segment segment = segments.stream().filter(s -> s.name().equals(nic.segment())).findFirst()
                        .orElseThrow(() -> new TopologyException(where + ".segment: no segment named '" + nic.segment() + "'"));
                for (String address : nic.addresses()) {
                    Cidr cidr = Cidr.parse(address);
                    boolean inPrefix = segment.prefixes().isEmpty()
                            || segment.prefixes().stream().map(Cidr::parse).anyMatch(p -> p.contains(cidr.network()));
                    require(inPrefix, where + ".addresses", address + " is not inside segment " + segment.name() + " " + segment.prefixes());
                }
            }
            for (Service service : host.services()) {
                long same = host.services().stream().filter(s -> s.port() == service.port()).count();
                require(same == 1, "hosts[" + host.name() + "].services", "port " + service.port() + " used twice");
            }
        }
        if (dns != null) {
            Host dnsHost = hosts.stream().filter(h -> h.name().equals(dns.host())).findFirst()
                    .orElseThrow(() -> new TopologyException("dns.host: no host named '" + dns.host() + "'"));
            require(dnsHost.primaryIpv4().isPresent(), "dns.host", dns.host() + " has no IPv4 address to listen on");
        }
    }

    /** The host named {@code name}. */
    public Host host(String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no host '" + name + "' in the topology (hosts: "
                        + hosts.stream().map(Host::name).toList() + ")"));
    }

    /** The lab of {@code lab/topologies/default.json}: app, fw1, fw2, db with agents; inet and web without. */
    public static Topology defaultLab() {
        try (InputStream in = Topology.class.getResourceAsStream("topologies/default.json")) {
            if (in == null) throw new IllegalStateException("netwatcher/lab/topologies/default.json is missing from the classpath");
            return mapper().readValue(in, Topology.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the default topology", e);
        }
    }

    /** {@link #read} of {@code file}, or {@link #defaultLab} when it is null (the command lines' --topology). */
    public static Topology readOrDefault(Path file) {
        return file == null ? defaultLab() : read(file);
    }

    /** Reads a topology file (format in {@code docs/lab.md}); a bad file fails with the offending field. */
    public static Topology read(Path file) {
        try {
            return mapper().readValue(Files.readAllBytes(file), Topology.class);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause() instanceof TopologyException t ? t : e;
            throw new TopologyException(file + ": " + (cause instanceof TopologyException ? cause.getMessage() : e.getOriginalMessage()
                    + " at " + e.getPathReference()), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read topology " + file, e);
        }
    }

    /** The topology as JSON in the file format. */
    public String toJson() {
        try {
            return mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectMapper mapper() {
        return JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    }

    private static void require(boolean condition, String field, String message) {
        if (!condition) throw new TopologyException(field + ": " + message);
    }

    private static Cidr labCidr(String field, String text) {
        Cidr cidr;
        try {
            cidr = Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TopologyException(field + ": " + e.getMessage(), e);
        }
        require(cidr.inLabSpace(), field, text + " is outside the lab address space (198.18.0.0/15, 2001:2::/48)");
        return cidr;
    }

    private static InetAddress literal(String field, String text) {
        try {
            return Cidr.literal(text);
        } catch (IllegalArgumentException e) {
            throw new TopologyException(field + ": " + e.getMessage(), e);
        }
    }
}
