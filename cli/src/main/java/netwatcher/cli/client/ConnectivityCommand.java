package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The check verbs of {@code az network watcher}: {@code test-connectivity} (POST connectivityCheck,
 * with live progress of the probes and hops on standard error), {@code show-next-hop} (POST nextHop)
 * and {@code test-ip-flow} (POST ipFlowVerify), with az's option names. Each finds the network
 * watcher in the VM's location, posts the request and follows the long-running operation to its
 * result. Bad option values are usage errors (exit 2) before any request is sent. Each command
 * instance runs once, on one thread (as every {@link ArmCommand}); the helpers are stateless.
 */
public final class ConnectivityCommand {
    private ConnectivityCommand() {}

    static final List<String> CONNECTIVITY_PROTOCOLS = List.of("Tcp", "Http", "Https", "Icmp");

    /** {@code value} matched case-insensitively against {@code allowed}, in its canonical spelling. */
    static String oneOf(String option, String value, List<String> allowed) {
        if (value == null) return null;
        return allowed.stream().filter(a -> a.equalsIgnoreCase(value)).findFirst()
                .orElseThrow(() -> CliException.usage(option + " must be one of " + String.join(", ", allowed) + ", not '" + value + "'"));
    }

    /** A NIC id: given as an id, or a name in the VM's resource group. */
    static String nicId(String nic, JsonNode vm) {
        if (nic == null) return null;
        if (nic.startsWith("/")) return nic;
        String id = vm.path("id").asText();
        int providers = id.indexOf("/providers/");
        return id.substring(0, providers) + "/providers/Microsoft.Network/networkInterfaces/" + nic;
    }

    /**
     * The VM a per-VM watcher action asks about ({@code --vm}, {@code -g}) and, for a VM with several, one of its NICs
     * ({@code --nic}): one mixin, so that {@code show-next-hop} and {@code test-ip-flow} spell, resolve and send them alike.
     */
    public static final class VmAction {
        @Option(names = "--vm", required = true, paramLabel = "VM", description = "The VM: name (with -g, or unique) or resource id.")
        String vm;

        @Option(names = {"-g", "--resource-group"}, paramLabel = "RG", description = "Resource group of the VM.")
        String resourceGroup;

        @Option(names = "--nic", paramLabel = "NIC", description = "NIC name (in the VM's resource group) or id, for a VM with several.")
        String nic;

        /**
         * POSTs {@code action} to the network watcher in the VM's location with a body of the VM's id
         * ({@code targetResourceId}), the fields {@code fill} adds and the NIC's id ({@code targetNicResourceId}) if one was
         * given; follows the long-running operation and answers its result.
         */
        JsonNode post(ArmClient arm, String action, java.util.function.Consumer<ObjectNode> fill) {
            Lookup lookup = new Lookup(arm);
            JsonNode vmNode = lookup.vm(vm, resourceGroup);
            JsonNode watcher = lookup.watcherIn(vmNode.path("location").asText());
            ObjectNode body = Output.object();
            body.put("targetResourceId", vmNode.path("id").asText());
            fill.accept(body);
            if (nic != null) body.put("targetNicResourceId", nicId(nic, vmNode));
            return arm.longRunning("POST", watcher.path("id").asText() + "/" + action, ArmClient.NETWORK_API, body).body();
        }
    }

    @Command(name = "test-connectivity", mixinStandardHelpOptions = true,
            description = {"Test a connection from a VM to a VM, an IP address, a host name or a URL (POST connectivityCheck).",
                "The source VM's agent sends the probes (100 by default) and traces the path; agents along the path explain "
                    + "drops with the firewall rule or route that caused them. Prints ConnectivityInformation: "
                    + "connectionStatus (Reachable, Unreachable, Degraded), latency, probesSent/probesFailed and the hops "
                    + "with their issues; -o table prints one row per hop (#, type, host, address, RTT, issues as "
                    + "'type: rule/route name'), then the status and the probe counts.",
                "While it runs, progress goes to standard error: on a terminal a panel redrawn in place (phase, probes done, "
                    + "the hops as they are found), otherwise one plain line per change. --no-progress turns it off.",
                "Exit codes: 2 for a bad option value (e.g. --protocol Sctp), 4 when a VM does not exist, "
                    + "5 when the endpoint refuses the request, 6 when the check fails (e.g. the source's agent is offline)."},
            footerHeading = "%nExamples:%n", footer = {
                "  nw watcher test-connectivity -g lab --source-resource app \\",
                "      --dest-resource db --dest-port 80",
                "  nw watcher test-connectivity --source-resource app \\",
                "      --dest-address 198.18.3.10 --dest-port 5432 -o table",
                "  nw watcher test-connectivity --source-resource app \\",
                "      --dest-address https://web.lab.test/ --protocol Https \\",
                "      --method Get --headers \"Accept=text/html\" \\",
                "      --valid-status-codes 200 301",
                "  nw watcher test-connectivity --source-resource app \\",
                "      --dest-address 198.18.3.10 --protocol Icmp \\",
                "      --query connectionStatus -o tsv",
                "  nw watcher test-connectivity --source-resource app \\",
                "      --dest-resource db --dest-port 1433 --evidence-dir ./evidence"})
    public static final class TestConnectivity extends ArmCommand {
        @Option(names = "--source-resource", required = true, paramLabel = "VM", description = "Source VM: name (with -g, or unique) or resource id.")
        String source;

        @Option(names = {"-g", "--resource-group"}, paramLabel = "RG", description = "Resource group of the VMs given by name.")
        String resourceGroup;

        @Option(names = "--source-port", paramLabel = "N", description = "Source port of the probes (default: any).")
        Integer sourcePort;

        @Option(names = "--dest-resource", paramLabel = "VM", description = "Destination VM: name or resource id.")
        String destResource;

        @Option(names = "--dest-address", paramLabel = "ADDR", description = "Destination IP address, host name or URL.")
        String destAddress;

        @Option(names = "--dest-port", paramLabel = "N", description = "Destination port (default: the protocol's; 80 for Tcp).")
        Integer destPort;

        @Option(names = "--protocol", paramLabel = "PROTOCOL", description = "Tcp (default), Http, Https or Icmp.")
        String protocol;

        @Option(names = "--method", paramLabel = "METHOD", description = "HTTP method (Get).")
        String method;

        @Option(names = "--headers", arity = "1..*", paramLabel = "NAME=VALUE", description = "HTTP headers, space-separated Name=Value pairs.")
        List<String> headers;

        @Option(names = "--valid-status-codes", arity = "1..*", paramLabel = "CODE", description = "HTTP status codes that count as success (default: 2xx).")
        List<Integer> validStatusCodes;

        @Option(names = "--preferred-ip-version", paramLabel = "VERSION", description = "IPv4 or IPv6, for a destination with both.")
        String preferredIpVersion;

        @Option(names = "--no-progress", description = "Do not show progress on standard error.")
        boolean noProgress;

        @Option(names = "--evidence-dir", paramLabel = "DIR", description = "Download the check's captured probe packets "
                + "(the result's evidence entries) into DIR, one pcap file per host named by VM (e.g. DIR/app.pcap).")
        java.nio.file.Path evidenceDir;

        @Override
        protected int execute() {
            if ((destResource == null) == (destAddress == null)) throw CliException.usage("give exactly one of --dest-resource VM or --dest-address ADDR");
            String proto = oneOf("--protocol", protocol, CONNECTIVITY_PROTOCOLS);
            String ipVersion = oneOf("--preferred-ip-version", preferredIpVersion, List.of("IPv4", "IPv6"));
            if (method != null && !method.equalsIgnoreCase("Get")) throw CliException.usage("--method must be Get (the only method of the API)");
            checkPort("--source-port", sourcePort);
            checkPort("--dest-port", destPort);
            ArrayNode headerArray = null;
            if (headers != null) {
                headerArray = Output.array();
                for (String h : headers) {
                    int eq = h.indexOf('=');
                    if (eq <= 0) throw CliException.usage("--headers takes Name=Value pairs, not '" + h + "'");
                    ObjectNode o = headerArray.addObject();
                    o.put("name", h.substring(0, eq));
                    o.put("value", h.substring(eq + 1));
                }
            }
            boolean http = headerArray != null || method != null || validStatusCodes != null;
            if (http && proto != null && !proto.equals("Http") && !proto.equals("Https")) {
                throw CliException.usage("--method, --headers and --valid-status-codes need --protocol Http or Https");
            }
            ArmClient arm = client();
            Lookup lookup = new Lookup(arm);
            JsonNode vm = lookup.vm(source, resourceGroup);
            JsonNode watcher = lookup.watcherIn(vm.path("location").asText());
            ObjectNode body = Output.object();
            ObjectNode src = body.putObject("source");
            src.put("resourceId", vm.path("id").asText());
            if (sourcePort != null) src.put("port", sourcePort);
            ObjectNode dst = body.putObject("destination");
            if (destResource != null) dst.put("resourceId", lookup.vm(destResource, resourceGroup).path("id").asText());
            else dst.put("address", destAddress);
            if (destPort != null) dst.put("port", destPort);
            if (proto != null) body.put("protocol", proto);
            if (http) {
                ObjectNode hc = body.putObject("protocolConfiguration").putObject("HTTPConfiguration");
                hc.put("method", "Get");
                if (headerArray != null) hc.set("headers", headerArray);
                if (validStatusCodes != null) {
                    ArrayNode codes = hc.putArray("validStatusCodes");
                    validStatusCodes.forEach(codes::add);
                }
            }
            if (ipVersion != null) body.put("preferredIPVersion", ipVersion);
            String path = watcher.path("id").asText() + "/connectivityCheck";
            CheckProgress progress = noProgress ? null : new CheckProgress(err(), Progress.terminal(env()),
                    destAddress != null ? destAddress : destResource);
            ArmClient.Response first = ArmClient.check(arm.send("POST", path, ArmClient.NETWORK_API, body));
            JsonNode result = arm.follow("POST", path, ArmClient.NETWORK_API, first, progress == null ? s -> { } : progress::update).body();
            if (progress != null) progress.finish(result);
            if (common.output == Output.Format.table && common.query == null) {
                out().print(ConnectivityTable.render(result, hostNames(arm)));
                out().flush();
            } else {
                print(result);
            }
            if (evidenceDir != null) new EvidenceDownload(arm, err()).into(evidenceDir, result);
            return 0;
        }

        /** A hop's resourceId → its VM's name: a NIC's {@code properties.virtualMachine.id}, looked up once each. */
        private static java.util.function.Function<String, String> hostNames(ArmClient arm) {
            java.util.Map<String, String> known = new java.util.HashMap<>();
            return resourceId -> known.computeIfAbsent(resourceId, id -> {
                int ipConfigs = id.indexOf("/ipConfigurations/");
                if (!id.contains("/networkInterfaces/") || ipConfigs < 0) return null;
                try {
                    String vmId = arm.get(id.substring(0, ipConfigs), ArmClient.NETWORK_API).path("properties")
                            .path("virtualMachine").path("id").asText("");
                    return vmId.isEmpty() ? null : vmId.substring(vmId.lastIndexOf('/') + 1);
                } catch (CliException e) {
                    return null; // not readable: the row shows no name
                }
            });
        }
    }

    static void checkPort(String option, Integer port) {
        if (port != null && (port < 0 || port > 65535)) throw CliException.usage(option + " must be 0..65535, not " + port);
    }

    @Command(name = "show-next-hop", mixinStandardHelpOptions = true,
            description = {"Show the next hop a VM's routing picks for a packet (POST nextHop).",
                "Answers nextHopType (Internet, VirtualAppliance, VnetLocal, None, ...), nextHopIpAddress and routeTableId "
                    + "(the id of the VM's route table resource, .../routeTables/{vm}-{table}) from the VM's real routing table.",
                "Exit codes: 2 for a bad option value, 4 when the VM does not exist, 6 when the VM's agent cannot answer."},
            footerHeading = "%nExamples:%n", footer = {
                "  nw watcher show-next-hop -g lab --vm app \\",
                "      --source-ip 198.18.1.10 --dest-ip 198.19.0.1",
                "  nw watcher show-next-hop --vm app --source-ip 198.18.1.10 \\",
                "      --dest-ip 198.18.3.10 --nic app-eth0 -o table"})
    public static final class ShowNextHop extends ArmCommand {
        @Mixin
        VmAction target;

        @Option(names = "--source-ip", required = true, paramLabel = "IP", description = "Source IP address of the packet.")
        String sourceIp;

        @Option(names = "--dest-ip", required = true, paramLabel = "IP", description = "Destination IP address of the packet.")
        String destIp;

        @Override
        protected int execute() {
            requireIp("--source-ip", sourceIp);
            requireIp("--dest-ip", destIp);
            print(target.post(client(), "nextHop", body -> {
                body.put("sourceIPAddress", sourceIp);
                body.put("destinationIPAddress", destIp);
            }));
            return 0;
        }
    }

    @Command(name = "test-ip-flow", mixinStandardHelpOptions = true,
            description = {"Test whether a VM's firewall allows a packet to or from it (POST ipFlowVerify).",
                "Answers access (Allow or Deny) and ruleName (the nftables/iptables rule's comment, else table/chain/handle) "
                    + "from the VM's real firewall. --local is the VM's side, --remote the other side, as in az.",
                "Exit codes: 2 for a bad option value, 4 when the VM does not exist, 6 when the VM's agent cannot answer."},
            footerHeading = "%nExamples:%n", footer = {
                "  nw watcher test-ip-flow -g lab --vm db --direction Inbound \\",
                "      --protocol TCP --local 198.18.3.10:80 \\",
                "      --remote 198.18.1.10:60000",
                "  nw watcher test-ip-flow --vm app --direction Outbound \\",
                "      --protocol UDP --local 198.18.1.10:5353 \\",
                "      --remote 198.18.3.10:53 --query access -o tsv"})
    public static final class TestIpFlow extends ArmCommand {
        @Mixin
        VmAction target;

        @Option(names = "--direction", required = true, paramLabel = "DIR", description = "Inbound or Outbound.")
        String direction;

        @Option(names = "--protocol", required = true, paramLabel = "PROTOCOL", description = "TCP or UDP.")
        String protocol;

        @Option(names = "--local", required = true, paramLabel = "IP:PORT", description = "The VM's address and port, e.g. 198.18.3.10:80 ([v6]:port for IPv6).")
        String local;

        @Option(names = "--remote", required = true, paramLabel = "IP:PORT", description = "The other side's address and port.")
        String remote;

        @Override
        protected int execute() {
            String dir = oneOf("--direction", direction, List.of("Inbound", "Outbound"));
            String proto = oneOf("--protocol", protocol, List.of("TCP", "UDP"));
            String[] l = hostPort("--local", local);
            String[] r = hostPort("--remote", remote);
            print(target.post(client(), "ipFlowVerify", body -> {
                body.put("direction", dir);
                body.put("protocol", proto);
                body.put("localIPAddress", l[0]);
                body.put("localPort", l[1]);
                body.put("remoteIPAddress", r[0]);
                body.put("remotePort", r[1]);
            }));
            return 0;
        }
    }

    static void requireIp(String option, String value) {
        if (!value.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !(value.contains(":") && value.matches("[0-9A-Fa-f:.]+"))) {
            throw CliException.usage(option + " must be an IP address, not '" + value + "'");
        }
    }

    /** {@code IP:PORT} or {@code [IPv6]:PORT} split in two; the port may be {@code *} as in the API. */
    static String[] hostPort(String option, String value) {
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf("]:");
            if (close < 0) throw CliException.usage(option + " must be IP:PORT or [IPv6]:PORT, not '" + value + "'");
            host = value.substring(1, close);
            port = value.substring(close + 2);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || value.indexOf(':') != colon) throw CliException.usage(option + " must be IP:PORT or [IPv6]:PORT, not '" + value + "'");
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
        }
        requireIp(option, host);
        if (!port.equals("*")) {
            try {
                checkPort(option + " port", Integer.parseInt(port));
            } catch (NumberFormatException e) {
                throw CliException.usage(option + ": port must be a number or *, not '" + port + "'");
            }
        }
        return new String[] {host.toLowerCase(Locale.ROOT), port};
    }
}
