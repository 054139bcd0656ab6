package netwatcher.controller.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Routes by method and path pattern ({@code /subscriptions/{sub}/resourceGroups/{rg}/...}).
 * Literal segments match case-insensitively, as ARM requires; a trailing {@code {name...}}
 * captures the rest of the path. Built once at start-up, then read-only and thread-safe.
 */
public final class Router {
    /** Which pipeline a route runs through. */
    public enum Kind {
        /** ARM routes: authenticated, api-version checked, authorized on the request path. */
        ARM,
        /** ARM routes whose handler authorizes on another resource (operation polling). */
        ARM_DEFERRED_AUTHZ,
        /** Unauthenticated ARM discovery (metadata endpoints): api-version present. */
        ARM_METADATA,
        /** Agent protocol: agent credential. */
        AGENT,
        /** Admin API: admin token only. */
        ADMIN,
        /** No authentication (health, token endpoint, OpenID discovery). */
        PUBLIC
    }

    public record Route(String method, String pattern, Kind kind, Handler handler, String[] segments) {}

    public record Match(Route route, Map<String, String> vars) {}

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String pattern, Kind kind, Handler handler) {
        String[] segs = split(pattern);
        routes.add(new Route(method, pattern, kind, handler, segs));
        return this;
    }

    /** The matching route, or null; {@code allowed} collects the methods of routes that matched the path. */
    public Match match(String method, String path, Set<String> allowed) {
        String[] parts = split(path);
        Match found = null;
        for (Route r : routes) {
            Map<String, String> vars = matchPath(r.segments(), parts);
            if (vars == null) continue;
            allowed.add(r.method());
            if (found == null && r.method().equalsIgnoreCase(method)) found = new Match(r, vars);
        }
        return found;
    }

    /** Whether any route matches the path, whatever the method. */
    public Set<String> methodsFor(String path) {
        Set<String> out = new LinkedHashSet<>();
        match("", path, out);
        return out;
    }

    private static Map<String, String> matchPath(String[] pattern, String[] parts) {
        Map<String, String> vars = null;
        int n = pattern.length;
        boolean rest = n > 0 && pattern[n - 1].endsWith("...}");
        if (rest ? parts.length < n : parts.length != n) return null;
        for (int i = 0; i < n; i++) {
            String p = pattern[i];
            if (p.startsWith("{")) {
                if (parts[i].isEmpty()) return null; // '//' binds no name: /storage//x is no account
                if (vars == null) vars = new HashMap<>();
                if (i == n - 1 && rest) {
                    vars.put(p.substring(1, p.length() - 4), String.join("/", java.util.Arrays.copyOfRange(parts, i, parts.length)));
                } else {
                    vars.put(p.substring(1, p.length() - 1), parts[i]);
                }
            } else if (!p.equalsIgnoreCase(parts[i])) {
                return null;
            }
        }
        return vars == null ? Map.of() : vars;
    }

    private static String[] split(String path) {
        String p = path;
        while (p.startsWith("/")) p = p.substring(1);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? new String[0] : p.split("/");
    }

    static String lower(String s) { return s.toLowerCase(Locale.ROOT); }
}
