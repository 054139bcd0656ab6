package netwatcher.controller.connectivity;

import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import netwatcher.arm.ApiVersion;
import netwatcher.arm.ArmBody;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.model.check.ProbeSpec;

/** Validates connectivityCheck, ipFlowVerify and nextHop bodies against the reference. Stateless. */
public final class CheckRequestParser {
    private CheckRequestParser() {}

    public static CheckRequest connectivity(byte[] json, ApiVersion version) {
        ArmBody root = ArmBody.root(json);
        ArmBody source = root.requireObject("source");
        String sourceVm = vm(source.requireString("resourceId"), "source.resourceId");
        int sourcePort = (int) source.integer("port", 0, 65535, 0);
        ArmBody dest = root.requireObject("destination");
        String destVm = dest.string("resourceId").filter(s -> !s.isBlank()).map(s -> vm(s, "destination.resourceId")).orElse(null);
        String address = dest.string("address").filter(s -> !s.isBlank()).orElse(null);
        if (destVm == null && address == null) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'destination' needs a resourceId (a virtual machine) or an address"
                    + " (IP address, host name or URL).", "destination");
        }
        if (address != null) address = destinationAddress(address);
        int destPort = (int) dest.integer("port", 0, 65535, 0);
        String protocol = root.string("protocol").map(p -> enumValue(p, "protocol", "Tcp", "Http", "Https", "Icmp")).orElse("Tcp");
        ProbeSpec.Http http = null;
        Optional<ArmBody> pc = root.object("protocolConfiguration");
        if (pc.isPresent()) {
            Optional<ArmBody> hc = pc.get().object("HTTPConfiguration");
            if (hc.isPresent()) {
                ArmBody h = hc.get();
                String method = h.string("method").map(m -> enumValue(m, h.path() + ".method", "Get")).orElse("Get");
                List<ProbeSpec.Header> headers = new ArrayList<>();
                for (ArmBody header : h.objects("headers")) {
                    String name = header.requireString("name");
                    if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) throw header.badValue("name", "is not a valid HTTP header name");
                    String value = header.string("value").orElse("");
                    if (value.chars().anyMatch(c -> c == '\r' || c == '\n')) throw header.badValue("value", "must not contain line breaks");
                    headers.add(new ProbeSpec.Header(name, value));
                }
                List<Integer> codes = new ArrayList<>();
                for (Long code : h.longs("validStatusCodes")) {
                    if (code < 100 || code > 599) {
                        throw ArmErrorCode.InvalidParameter.exception("Property '" + h.path() + ".validStatusCodes' holds " + code
                                + "; HTTP status codes are 100-599.", h.path() + ".validStatusCodes");
                    }
                    codes.add(code.intValue());
                }
                http = new ProbeSpec.Http(method, headers, codes, null);
            }
        }
        if (http != null && !(protocol.equals("Http") || protocol.equals("Https"))) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'protocolConfiguration.HTTPConfiguration' applies only to protocol Http or Https;"
                    + " protocol is " + protocol + ".", "protocolConfiguration");
        }
        String ipVersion = root.string("preferredIPVersion").map(v -> enumValue(v, "preferredIPVersion", "IPv4", "IPv6")).orElse(null);
        if (protocol.equals("Icmp") && destPort != 0) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'destination.port' must be 0 or absent for protocol Icmp.", "destination.port");
        }
        return new CheckRequest(CheckRequest.CONNECTIVITY, sourceVm, sourcePort, destVm, address, destPort, protocol, http, ipVersion,
                null, null, 0, null);
    }

    public static CheckRequest ipFlowVerify(byte[] json) {
        ArmBody root = ArmBody.root(json);
        String vm = vm(root.requireString("targetResourceId"), "targetResourceId");
        String direction = enumValue(root.requireString("direction"), "direction", "Inbound", "Outbound");
        String protocol = enumValue(root.requireString("protocol"), "protocol", "TCP", "UDP");
        int localPort = port(root, "localPort");
        int remotePort = port(root, "remotePort");
        String localIp = ip(root.requireString("localIPAddress"), "localIPAddress");
        String remoteIp = ip(root.requireString("remoteIPAddress"), "remoteIPAddress");
        String nic = nic(root);
        return new CheckRequest(CheckRequest.IP_FLOW_VERIFY, vm, 0, null, remoteIp, remotePort, protocol, null, null, direction,
                localIp, localPort, nic);
    }

    public static CheckRequest nextHop(byte[] json) {
        ArmBody root = ArmBody.root(json);
        String vm = vm(root.requireString("targetResourceId"), "targetResourceId");
        String source = ip(root.requireString("sourceIPAddress"), "sourceIPAddress");
        String dest = ip(root.requireString("destinationIPAddress"), "destinationIPAddress");
        String nic = nic(root);
        return new CheckRequest(CheckRequest.NEXT_HOP, vm, 0, null, dest, 0, null, null, null, null, source, 0, nic);
    }

    /** The optional {@code targetNicResourceId}: a resource id (authorized like the target), or null. */
    private static String nic(ArmBody root) {
        return root.string("targetNicResourceId")
                .map(s -> ArmResourceId.parse(s, "targetNicResourceId").toString()).orElse(null);
    }

    private static String vm(String id, String field) {
        ArmResourceId parsed = ArmResourceId.parse(id, field);
        if (!parsed.isType("Microsoft.Compute/virtualMachines")) {
            throw ArmErrorCode.InvalidParameter.exception("Property '" + field + "' must be the id of a virtual machine"
                    + " (Microsoft.Compute/virtualMachines); was a " + parsed.type() + ".", field);
        }
        return parsed.toString();
    }

    private static String enumValue(String value, String field, String... allowed) {
        for (String a : allowed) if (a.equalsIgnoreCase(value.trim())) return a;
        throw ArmErrorCode.InvalidParameter.exception("Property '" + field + "' must be one of " + String.join(", ", allowed)
                + "; was '" + value + "'.", field);
    }

    private static int port(ArmBody body, String field) {
        String text = body.requireString(field).trim();
        if (text.equals("*")) return 0;
        if (!text.matches("\\d{1,5}") || Integer.parseInt(text) > 65535) {
            throw body.badValue(field, "must be a port number 0-65535 or '*'; was '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    /** True when {@code s} has the shape of an IPv4 or IPv6 literal (not a host name); octets are not range-checked. */
    static boolean isLiteralIp(String s) {
        return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (s.contains(":") && s.matches("[0-9A-Fa-f:.]+"));
    }

    static String ip(String text, String field) {
        String t = text.trim();
        if (!isLiteralIp(t)) {
            throw ArmErrorCode.InvalidParameter.exception("Property '" + field + "' must be an IPv4 or IPv6 address; was '" + text + "'.", field);
        }
        try {
            if (!t.contains(":")) for (String o : t.split("\\.")) if (Integer.parseInt(o) > 255) throw new NumberFormatException();
            return InetAddress.getByName(t).getHostAddress();
        } catch (Exception e) {
            throw ArmErrorCode.InvalidParameter.exception("Property '" + field + "' must be an IPv4 or IPv6 address; was '" + text + "'.", field);
        }
    }

    /** An IP, a host name, or an http(s) URL. */
    static String destinationAddress(String text) {
        String t = text.trim();
        if (t.contains("://")) {
            try {
                URI u = new URI(t);
                String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) throw new IllegalArgumentException();
                return t;
            } catch (Exception e) {
                throw ArmErrorCode.InvalidParameter.exception("Property 'destination.address' must be an IP address, a host name or an"
                        + " http(s) URL; was '" + text + "'.", "destination.address");
            }
        }
        if (t.length() > 253 || !t.matches("[A-Za-z0-9.:_-]+")) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'destination.address' must be an IP address, a host name or an"
                    + " http(s) URL; was '" + text + "'.", "destination.address");
        }
        return t;
    }
}
