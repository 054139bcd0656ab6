package netwatcher.model.check;

import java.net.URI;
import java.util.Locale;

/**
 * The facts of a connectivity check's destination that the controller (the flow it records and shows) and the
 * agent (what it probes) must agree on, decided here once.
 */
public final class Destinations {
    private Destinations() {}

    /**
     * The destination port a connectivity check probes: {@code requested} when above 0; else a URL's own port
     * ({@code https://h:8443/}); else the URL scheme's (https 443, http 80); else the protocol's (Tcp and Http 80,
     * Https 443, Icmp 0; absent means Tcp).
     *
     * @param protocol        ARM's protocol word (Tcp, Http, Https, Icmp; any case), or null
     * @param destinationHost the host name or URL the check names, or null (an address or a VM)
     * @param requested       {@code destination.port} as asked, 0 when absent
     */
    public static int port(String protocol, String destinationHost, int requested) {
        if (requested > 0) return requested;
        if (destinationHost != null && destinationHost.contains("://")) {
            try {
                URI uri = URI.create(destinationHost.trim());
                if (uri.getPort() > 0) return uri.getPort();
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (scheme.equals("https")) return 443;
                if (scheme.equals("http")) return 80;
            } catch (IllegalArgumentException e) {
                // not a URL the agent can use either; it reports the resolution failure
            }
        }
        String p = protocol == null ? "tcp" : protocol.trim().toLowerCase(Locale.ROOT);
        return switch (p) {
            case "https" -> 443;
            case "icmp" -> 0;
            default -> 80; // tcp, http
        };
    }

    /** The HTTP(S) probe settings when a check gives none: method Get, no headers, 2xx valid, {@code path}. */
    public static ProbeSpec.Http defaultHttp(String path) {
        return new ProbeSpec.Http("Get", java.util.List.of(), java.util.List.of(), path);
    }
}
