package netwatcher.agent.probe;

import java.net.InetSocketAddress;
import java.util.Locale;

import netwatcher.model.check.ProbeSpec;

/**
 * What to probe, resolved: the protocol, the destination address and port, the local address/port
 * to bind (or null), the host name (HTTP {@code Host} header and TLS server name) and HTTP settings.
 *
 * @param protocol    how to probe
 * @param destination resolved destination (port ignored for ICMP)
 * @param source      local bind address/port; null or port 0 for ephemeral
 * @param hostName    the name the user gave (for Host/SNI), or null to use the address
 * @param http        HTTP(S) settings; null means GET / with 2xx valid
 */
public record ProbeTarget(Protocol protocol, InetSocketAddress destination, InetSocketAddress source, String hostName,
                          ProbeSpec.Http http) {
    public ProbeTarget {
        if (protocol == null) throw new IllegalArgumentException("probe target needs a protocol");
        if (destination == null || destination.isUnresolved()) {
            throw new IllegalArgumentException("probe target needs a resolved destination, got " + destination);
        }
    }

    /** The probe protocols of a connectivity check. */
    public enum Protocol {
        TCP, HTTP, HTTPS, ICMP;

        /** Parses ARM's spelling (Tcp, Http, Https, Icmp; any case); null means Tcp. */
        public static Protocol of(String text) {
            if (text == null || text.isBlank()) return TCP;
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown probe protocol " + text + " (Tcp, Http, Https, Icmp)");
            }
        }
    }
}
