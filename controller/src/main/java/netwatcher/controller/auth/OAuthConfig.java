package netwatcher.controller.auth;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Settings of the built-in OAuth2 issuer, validated on construction.
 *
 * @param baseUrls {@code auth.baseUrls}: the controller's HTTPS base URLs as clients reach it, e.g.
 *     {@code https://localhost:8443}; the first is canonical. A token's {@code iss} is
 *     {@code <base>/adfs} for the base the client used, and the base URLs (with or without trailing
 *     slash) are the audiences tokens may be requested for. {@link #forPort} builds the default list
 *     from the TLS names.
 * @param extraAudiences {@code auth.extraAudiences}: further accepted audiences; default
 *     {@link #DEFAULT_EXTRA_AUDIENCES} so that tools that hard-code Azure's resource ids work
 * @param tokenLifetime {@code auth.tokenLifetime}: lifetime of issued access tokens (default 1 hour,
 *     60 s .. 24 h)
 * @param tenantId {@code auth.tenantId}: value of the {@code tid} claim (default {@code adfs}, the
 *     tenant name ADFS clients use)
 */
public record OAuthConfig(List<String> baseUrls, List<String> extraAudiences, Duration tokenLifetime, String tenantId) {
    public static final List<String> DEFAULT_EXTRA_AUDIENCES =
            List.of("https://management.core.windows.net/", "https://management.azure.com/");
    public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofHours(1);

    public OAuthConfig {
        if (baseUrls == null || baseUrls.isEmpty()) {
            throw new IllegalArgumentException("auth.baseUrls needs at least one https:// URL");
        }
        List<String> bases = new ArrayList<>();
        for (String url : baseUrls) {
            bases.add(normalizeBase(url));
        }
        baseUrls = List.copyOf(new LinkedHashSet<>(bases));
        extraAudiences = extraAudiences == null ? DEFAULT_EXTRA_AUDIENCES : List.copyOf(extraAudiences);
        for (String audience : extraAudiences) {
            if (audience == null || audience.isBlank()) {
                throw new IllegalArgumentException("auth.extraAudiences must not contain blanks");
            }
        }
        tokenLifetime = tokenLifetime == null ? DEFAULT_TOKEN_LIFETIME : tokenLifetime;
        if (tokenLifetime.compareTo(Duration.ofSeconds(60)) < 0 || tokenLifetime.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("auth.tokenLifetime must be between 60 s and 24 h, was " + tokenLifetime);
        }
        tenantId = tenantId == null || tenantId.isBlank() ? "adfs" : tenantId;
    }

    /**
     * Base URLs {@code https://<name>:<port>} for each name (IPv6 literals bracketed), in order,
     * with the defaults for everything else.
     */
    public static OAuthConfig forPort(int port, List<String> hostNamesAndAddresses) {
        List<String> bases = new ArrayList<>();
        for (String name : hostNamesAndAddresses) {
            String host = name.contains(":") && !name.startsWith("[") ? "[" + name + "]" : name;
            bases.add("https://" + host + (port == 443 ? "" : ":" + port));
        }
        return new OAuthConfig(bases, null, null, null);
    }

    /** The canonical issuer: {@code <first base URL>/adfs}. */
    public String canonicalIssuer() { return baseUrls.getFirst() + "/adfs"; }

    /** Every issuer value tokens may carry: {@code <base>/adfs} for each base URL. */
    public Set<String> issuers() {
        Set<String> issuers = new LinkedHashSet<>();
        baseUrls.forEach(base -> issuers.add(base + "/adfs"));
        return Set.copyOf(issuers);
    }

    /** Accepted audiences in {@linkplain #normalizeAudience normalized} form. */
    public Set<String> acceptedAudiences() {
        Set<String> audiences = new LinkedHashSet<>();
        baseUrls.forEach(base -> audiences.add(normalizeAudience(base)));
        extraAudiences.forEach(audience -> audiences.add(normalizeAudience(audience)));
        return Set.copyOf(audiences);
    }

    /** The base URL among {@link #baseUrls} equal to {@code url} (normalized), else the canonical one. */
    public String baseFor(String url) {
        if (url != null) {
            try {
                String normalized = normalizeBase(url);
                if (baseUrls.contains(normalized)) {
                    return normalized;
                }
            } catch (IllegalArgumentException e) {
                // not a usable base URL: fall back to the canonical one
            }
        }
        return baseUrls.getFirst();
    }

    /** Audience comparison form: trimmed, trailing slashes removed, lower case. */
    public static String normalizeAudience(String audience) {
        String value = audience.strip();
        while (value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        return value.toLowerCase(Locale.ROOT);
    }

    /** {@code https://host[:port]} in lower case, without path or trailing slash. */
    static String normalizeBase(String url) {
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("auth.baseUrls: not a URL: " + url);
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
                || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
                || uri.getQuery() != null || uri.getUserInfo() != null) {
            throw new IllegalArgumentException("auth.baseUrls: expected https://host[:port], was " + url);
        }
        String port = uri.getPort() < 0 || uri.getPort() == 443 ? "" : ":" + uri.getPort();
        return "https://" + uri.getHost().toLowerCase(Locale.ROOT) + port;
    }
}
