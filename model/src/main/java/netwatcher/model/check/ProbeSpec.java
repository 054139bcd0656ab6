package netwatcher.model.check;

import java.util.List;

/**
 * How the source agent probes.
 *
 * @param probes   how many probes (100 by default, as Azure)
 * @param timeoutMs per-probe timeout
 * @param maxHops  the trace's TTL limit
 * @param http     HTTP(S) settings, or null
 */
public record ProbeSpec(int probes, int timeoutMs, int maxHops, Http http) {
    /** HTTP(S) probe settings: method (Get), headers, valid status codes (empty = 2xx), and the URL path. */
    public record Http(String method, List<Header> headers, List<Integer> validStatusCodes, String path) {
        public Http {
            headers = headers == null ? List.of() : List.copyOf(headers);
            validStatusCodes = validStatusCodes == null ? List.of() : List.copyOf(validStatusCodes);
        }
    }

    public record Header(String name, String value) {}
}
