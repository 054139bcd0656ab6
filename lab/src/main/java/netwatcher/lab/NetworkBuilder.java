package netwatcher.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netwatcher.lab.Topology.Host;
import netwatcher.lab.Topology.Interface;
import netwatcher.lab.Topology.NftTable;
import netwatcher.lab.Topology.Route;
import netwatcher.lab.Topology.Segment;

/**
 * Builds a topology's network: one namespace per host plus a fabric namespace holding one bridge
 * per segment and the management bridge; a veth per NIC (host end named as the topology says,
 * fabric end {@code nw-<host>-<i>} on the segment's bridge); {@code mgmt0} on agent hosts and a
 * root-namespace veth to the management bridge; addresses, routes, sysctls, nftables tables and
 * each host's {@code /etc/netns/<ns>/resolv.conf} and {@code hostname}. The management veths (the root's
 * and each host's {@code mgmt0}) carry the alias {@link Names#ignoredAlias}, set before they come up, so
 * that no agent (the lab's own, or one in the root namespace) registers or captures on them. Each object is recorded in the {@link LabState}
 * before it is created. Work is batched ({@code ip -batch}) so a lab of a few hosts builds in well
 * under a second.
 *
 * <p>Not thread-safe; one builder builds one lab once.
 */
public final class NetworkBuilder {
    /** Where the lab's hosts look up names; {@code ip netns exec} bind-mounts these files over /etc. */
    public static final Path NETNS_ETC = Path.of("/etc/netns");
    /** Agent hosts get management addresses from this host number upwards. */
    public static final int FIRST_AGENT_HOST_NUMBER = 10;

    private final String lab;
    private final Topology topology;
    private final Cidr managementNetwork;
    private final LabState state;

    public NetworkBuilder(String lab, Topology topology, Cidr managementNetwork, LabState state) {
        this.lab = lab;
        this.topology = topology;
        this.managementNetwork = managementNetwork;
        this.state = state;
    }

    /** The management address of each agent host, in topology order ({@code 198.19.255.10/24}, ...). */
    public static Map<String, Cidr> managementAddresses(Topology topology, Cidr managementNetwork) {
        Map<String, Cidr> addresses = new LinkedHashMap<>();
        int next = FIRST_AGENT_HOST_NUMBER;
        for (Host host : topology.hosts()) {
            if (host.agent()) {
                addresses.put(host.name(), new Cidr(managementNetwork.host(next++), managementNetwork.prefixLength()));
            }
        }
        return addresses;
    }

    /**
     * Fails with a clear message when any name or address this lab would take is already in use,
     * before anything is created or recorded.
     */
    public void checkNothingExists() {
        List<String> conflicts = new ArrayList<>();
        Set<String> namespaces = Teardown.existingNamespaces();
        for (String namespace : allNamespaces()) {
            if (namespaces.contains(namespace)) conflicts.add("namespace " + namespace + " exists");
            if (Files.exists(NETNS_ETC.resolve(namespace))) conflicts.add(NETNS_ETC.resolve(namespace) + " exists");
        }
        if (hasAgents()) {
            String rootLink = Names.rootManagementLink(lab);
            if (Teardown.existingRootLinks().contains(rootLink)) conflicts.add("interface " + rootLink + " exists");
            String controller = Cidr.text(managementNetwork.host(1));
            var addresses = Commands.run(List.of("ip", "-o", "-4", "addr", "show"));
            if (addresses.stdout().contains(" " + controller + "/")) {
                conflicts.add("address " + controller + " is already assigned in the root namespace (another lab?)");
            }
            var routes = Commands.run(List.of("ip", "-4", "route", "show", managementNetwork.network().toString()));
            if (!routes.stdout().isBlank()) {
                conflicts.add("the root namespace already routes " + managementNetwork.network() + ": " + routes.stdout().strip());
            }
        }
        if (!conflicts.isEmpty()) {
            throw new LabException("cannot bring up lab '" + lab + "': " + String.join("; ", conflicts)
                    + ". A lab of that name is up (`nw lab down`) or something else uses these names.");
        }
    }

    /** Creates the whole network. On failure the caller tears down what the state records. */
    public void build() {
        String fabric = Names.fabric(lab);
        List<String> namespaces = allNamespaces();
        namespaces.forEach(state::addNamespace);
        batch(null, namespaces.stream().map(n -> "netns add " + n).toList(), "creating namespaces");

        sysctl(fabric, List.of("net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"));
        for (Host host : topology.hosts()) {
            List<String> settings = new ArrayList<>(List.of(
                    "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
                    // Deterministic probes: hops answer every TTL-expired probe (real routers rate-limit).
                    "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0"));
            int forwarding = host.forwarding() ? 1 : 0;
            settings.add("net.ipv4.ip_forward=" + forwarding);
            settings.add("net.ipv6.conf.all.forwarding=" + forwarding);
            sysctl(namespace(host), settings);
        }

        Map<String, Cidr> management = managementAddresses(topology, managementNetwork);
        String rootLink = Names.rootManagementLink(lab);
        if (hasAgents()) {
            state.addRootLink(rootLink);
            Commands.check("creating the management link " + rootLink, List.of("ip", "link", "add", rootLink, "type", "veth",
                    "peer", "name", Names.fabricRootPeer(), "netns", fabric));
            Commands.run(List.of("sysctl", "-q", "-w", "net.ipv6.conf." + rootLink + ".disable_ipv6=1"));
            batch(null, List.of(
                    "link set " + rootLink + " alias " + Names.ignoredAlias(lab),
                    "addr add " + Cidr.text(managementNetwork.host(1)) + "/" + managementNetwork.prefixLength() + " dev " + rootLink,
                    "link set " + rootLink + " up"), "configuring " + rootLink);
        }

        List<String> fabricLines = new ArrayList<>();
        for (Segment segment : topology.segments()) {
            String bridge = Names.bridge(segment.name());
            state.addObject(fabric, "bridge", bridge);
            fabricLines.add("link add " + bridge + " type bridge");
            fabricLines.add("link set " + bridge + " up");
        }
        if (hasAgents()) {
            state.addObject(fabric, "bridge", Names.managementBridge());
            fabricLines.add("link add " + Names.managementBridge() + " type bridge");
            fabricLines.add("link set " + Names.managementBridge() + " up");
            fabricLines.add("link set " + Names.fabricRootPeer() + " master " + Names.managementBridge() + " up");
        }
        for (Host host : topology.hosts()) {
            for (int i = 0; i < host.interfaces().size(); i++) {
                Interface nic = host.interfaces().get(i);
                String peer = Names.fabricPeer(host.name(), i);
                state.addObject(fabric, "veth", peer);
                fabricLines.add("link add " + peer + " type veth peer name " + nic.name() + " netns " + namespace(host));
                fabricLines.add("link set " + peer + " master " + Names.bridge(nic.segment()) + " up");
            }
            if (host.agent()) {
                String peer = Names.fabricManagementPeer(host.name());
                state.addObject(fabric, "veth", peer);
                fabricLines.add("link add " + peer + " type veth peer name " + Names.MANAGEMENT_NIC + " netns " + namespace(host));
                fabricLines.add("link set " + peer + " master " + Names.managementBridge() + " up");
            }
        }
        batch(fabric, fabricLines, "building the fabric (bridges and veths)");

        for (Host host : topology.hosts()) {
            List<String> lines = new ArrayList<>(List.of("link set lo up"));
            for (Interface nic : host.interfaces()) {
                lines.add("link set " + nic.name() + " up");
                for (String address : nic.addresses()) {
                    Cidr cidr = Cidr.parse(address);
                    lines.add("addr add " + cidr + " dev " + nic.name() + (cidr.ipv6() ? " nodad" : ""));
                }
            }
            if (host.agent()) {
                lines.add("link set " + Names.MANAGEMENT_NIC + " alias " + Names.ignoredAlias(lab));
                lines.add("link set " + Names.MANAGEMENT_NIC + " up");
                lines.add("addr add " + management.get(host.name()) + " dev " + Names.MANAGEMENT_NIC);
            }
            for (Route route : host.routes()) {
                String to = route.to().equals("default") ? (route.ipv6() ? "::/0" : "0.0.0.0/0") : Cidr.parse(route.to()).toString();
                lines.add("route add " + to + " via " + route.via());
            }
            batch(namespace(host), lines, "configuring host " + host.name());
        }

        for (Host host : topology.hosts()) {
            if (host.nftables().isEmpty()) continue;
            StringBuilder script = new StringBuilder();
            for (NftTable table : host.nftables()) {
                state.addObject(namespace(host), "nftables", table.family() + " " + table.name());
                script.append(table.script());
            }
            Commands.check("loading nftables tables on " + host.name(),
                    Commands.inNamespace(namespace(host), List.of("nft", "-f", "-")), script.toString());
        }

        writeResolvConf();
    }

    private void writeResolvConf() {
        String content;
        if (topology.dns() != null) {
            String server = topology.host(topology.dns().host()).primaryIpv4().orElseThrow();
            content = "# netwatcher lab " + lab + ": only the lab resolver; nothing leaves the lab\n"
                    + "nameserver " + server + "\nsearch " + topology.dns().domain() + "\noptions timeout:1 attempts:2\n";
        } else {
            content = "# netwatcher lab " + lab + ": no resolver in this topology\n";
        }
        if (!Files.isDirectory(NETNS_ETC)) {
            // Ours to remove again, but only while empty: other labs may have made theirs since.
            state.addNetnsDir(NETNS_ETC.toString());
        }
        for (Host host : topology.hosts()) {
            Path dir = NETNS_ETC.resolve(namespace(host));
            state.addNetnsDir(dir.toString());
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("resolv.conf"), content);
                Files.writeString(dir.resolve("hostname"), host.name() + "\n"); // /etc/hostname under `ip netns exec`
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + dir.resolve("resolv.conf"), e);
            }
        }
    }

    private boolean hasAgents() {
        return topology.hosts().stream().anyMatch(Host::agent);
    }

    private List<String> allNamespaces() {
        List<String> names = new ArrayList<>();
        names.add(Names.fabric(lab));
        topology.hosts().forEach(h -> names.add(namespace(h)));
        return names;
    }

    private String namespace(Host host) {
        return Names.namespace(lab, host.name());
    }

    private static void sysctl(String namespace, List<String> settings) {
        List<String> command = new ArrayList<>(List.of("sysctl", "-q", "-w"));
        command.addAll(settings);
        Commands.check("setting sysctls in " + namespace, Commands.inNamespace(namespace, command));
    }

    private static void batch(String namespace, List<String> lines, String step) {
        if (lines.isEmpty()) return;
        List<String> command = new ArrayList<>(List.of("ip"));
        if (namespace != null) command.addAll(List.of("-n", namespace));
        command.addAll(List.of("-batch", "-"));
        var result = Commands.run(command, String.join("\n", lines) + "\n", Commands.DEFAULT_TIMEOUT);
        if (!result.succeeded()) {
            String failedLine = "";
            var matcher = java.util.regex.Pattern.compile("Command failed -:(\\d+)").matcher(result.stderr());
            if (matcher.find()) {
                int index = Integer.parseInt(matcher.group(1)) - 1;
                if (index >= 0 && index < lines.size()) failedLine = " at `ip " + (namespace == null ? "" : "-n " + namespace + " ") + lines.get(index) + "`";
            }
            throw new LabException(step + " failed" + failedLine + ": " + result.stderr().strip());
        }
    }
}
