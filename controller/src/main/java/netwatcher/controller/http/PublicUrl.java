package netwatcher.controller.http;

import java.net.URI;
import java.util.Locale;

/**
 * The one URL under which clients reach the controllers ({@code publicUrl} in {@code controller.properties}),
 * e.g. {@code https://nw.example:8443} for N controllers behind a load balancer. When configured, every URL a
 * controller emits starts with it, whichever controller and listener served the request: {@code Location},
 * {@code Azure-AsyncOperation}, {@code storagePath} and download URLs, agents' upload URLs, the OAuth issuer
 * ({@code iss}) and its OpenID configuration, {@code nextLink}. Without it, each request's own {@code Host}
 * is used (one controller: today's behaviour).
 *
 * @param value {@code https://host[:port]}: lower-case host, no path, query or trailing slash, no default port
 */
public record PublicUrl(String value) {
    public PublicUrl {
        value = normalize(value);
    }

    /** The host name or address (an IPv6 literal without brackets), for the server certificate's names. */
    public String host() {
        String host = URI.create(value).getHost();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    private static String normalize(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("publicUrl must not be empty");
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("publicUrl is not a URL: '" + text + "'");
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getUserInfo() != null
                || uri.getQuery() != null || uri.getFragment() != null
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))) {
            throw new IllegalArgumentException("publicUrl must be https://host[:port] without path or query; was '" + text + "'");
        }
        String port = uri.getPort() < 0 || uri.getPort() == 443 ? "" : ":" + uri.getPort();
        return "https://" + uri.getHost().toLowerCase(Locale.ROOT) + port;
    }

    @Override
    public String toString() { return value; }
}
