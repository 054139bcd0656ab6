package netwatcher.agent.check;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import netwatcher.agent.probe.ProbeTarget;
import netwatcher.model.check.Destinations;
import netwatcher.model.check.Flow;

/**
 * Turns a check's destination (an address, a host name or a URL) into what the source probes: the address
 * (IPv4 unless IPv6 is preferred, as Azure), the port ({@link Destinations#port}, the rule the controller
 * shares) and the HTTP path. Thread-safe when its resolver is.
 */
final class DestinationResolver {
    private final CheckExecutor.Resolver resolver;

    DestinationResolver(CheckExecutor.Resolver resolver) {
        this.resolver = resolver;
    }

    /** Where a source probes. */
    record Destination(ProbeTarget.Protocol protocol, String hostName, InetAddress address, int port, String path) {}

    /**
     * The destination of {@code flow} for {@code protocol}.
     *
     * @throws UnknownHostException when its host name has no address
     * @throws IllegalArgumentException when the flow names no destination, or a URL without a host
     */
    Destination resolve(Flow flow, ProbeTarget.Protocol protocol) throws UnknownHostException {
        String name = flow.destinationHost();
        String path = "/";
        int port = flow.destinationPort();
        if (flow.destinationAddress() != null && !flow.destinationAddress().isBlank()) {
            InetAddress literal = InetAddress.ofLiteral(flow.destinationAddress());
            return new Destination(protocol, name == null ? null : hostOf(name), literal,
                    Destinations.port(flow.protocol(), null, port), path);
        }
        if (name == null || name.isBlank()) throw new IllegalArgumentException("the check names no destination");
        String hostName = name.trim();
        if (hostName.contains("://")) {
            URI uri = URI.create(hostName);
            if (uri.getHost() == null) throw new IllegalArgumentException("URL " + hostName + " has no host");
            if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) path = uri.getRawPath();
            if (uri.getRawQuery() != null) path = path + "?" + uri.getRawQuery();
            hostName = uri.getHost();
        }
        if (hostName.startsWith("[") && hostName.endsWith("]")) hostName = hostName.substring(1, hostName.length() - 1);
        port = Destinations.port(flow.protocol(), name.trim(), port);
        InetAddress address;
        if (hostName.matches("[0-9.]+") || hostName.contains(":")) {
            address = InetAddress.ofLiteral(hostName);
        } else {
            List<InetAddress> all = resolver.resolve(hostName);
            if (all.isEmpty()) throw new UnknownHostException(hostName + ": no address");
            String preferred = flow.preferredIpVersion() == null ? "" : flow.preferredIpVersion().toLowerCase(Locale.ROOT);
            // IPv4 unless IPv6 is asked for (as Azure); the other family when the preferred one has no address
            Class<?> family = preferred.equals("ipv6") ? Inet6Address.class : Inet4Address.class;
            address = all.stream().filter(family::isInstance).findFirst().orElse(all.getFirst());
        }
        return new Destination(protocol, hostName, address, port, path);
    }

    /** The host of a host name or URL (brackets of an IPv6 literal removed), or null for a URL without one. */
    static String hostOf(String nameOrUrl) {
        if (!nameOrUrl.contains("://")) return nameOrUrl;
        String h = URI.create(nameOrUrl).getHost();
        return h == null ? null : h.replace("[", "").replace("]", "");
    }
}
