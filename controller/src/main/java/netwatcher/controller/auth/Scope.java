package netwatcher.controller.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a role assignment applies: a subscription ({@code /subscriptions/{sub}}) or a resource group
 * in it ({@code /subscriptions/{sub}/resourceGroups/{rg}}). A scope covers a resource path when the
 * path's leading segments equal the scope's, compared case-insensitively segment by segment, so
 * {@code /subscriptions/a/resourceGroups/rg} covers {@code .../resourceGroups/RG/providers/...} but
 * not {@code .../resourceGroups/rg2}.
 *
 * @param subscriptionId the subscription id as written when assigned
 * @param resourceGroup the resource group, or {@code null} for the whole subscription
 */
public record Scope(String subscriptionId, String resourceGroup) {
    public Scope {
        if (!validSegment(subscriptionId)) {
            throw new IllegalArgumentException("scope: invalid subscription id '" + subscriptionId + "'");
        }
        if (resourceGroup != null && !validSegment(resourceGroup)) {
            throw new IllegalArgumentException("scope: invalid resource group '" + resourceGroup + "'");
        }
    }

    /**
     * Parses {@code /subscriptions/{sub}} or {@code /subscriptions/{sub}/resourceGroups/{rg}}
     * (keywords case-insensitive, one trailing slash tolerated).
     */
    public static Scope parse(String text) {
        List<String> segments = segments(text == null ? "" : text)
                .orElseThrow(() -> invalid(text));
        if (segments.size() == 2 && segments.get(0).equalsIgnoreCase("subscriptions")) {
            return new Scope(segments.get(1), null);
        }
        if (segments.size() == 4 && segments.get(0).equalsIgnoreCase("subscriptions")
                && segments.get(2).equalsIgnoreCase("resourceGroups")) {
            return new Scope(segments.get(1), segments.get(3));
        }
        throw invalid(text);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("scope must be /subscriptions/{subscriptionId} or "
                + "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}, was '" + text + "'");
    }

    /** Whether this scope covers the resource at {@code resourcePath} (query string ignored). */
    public boolean covers(String resourcePath) {
        Optional<List<String>> parsed = segments(resourcePath);
        if (parsed.isEmpty()) {
            return false;
        }
        List<String> path = parsed.get();
        if (path.size() < 2 || !path.get(0).equalsIgnoreCase("subscriptions")
                || !path.get(1).equalsIgnoreCase(subscriptionId)) {
            return false;
        }
        if (resourceGroup == null) {
            return true;
        }
        return path.size() >= 4 && path.get(2).equalsIgnoreCase("resourceGroups")
                && path.get(3).equalsIgnoreCase(resourceGroup);
    }

    /** Whether this scope lies in subscription {@code subscriptionId} (case-insensitive). */
    public boolean inSubscription(String otherSubscriptionId) {
        return subscriptionId.equalsIgnoreCase(otherSubscriptionId);
    }

    /** The canonical path form. */
    public String path() {
        return "/subscriptions/" + subscriptionId + (resourceGroup == null ? "" : "/resourceGroups/" + resourceGroup);
    }

    /** Lower-case form for uniqueness checks and storage keys. */
    public String key() { return path().toLowerCase(Locale.ROOT); }

    @Override
    public String toString() { return path(); }

    /**
     * Splits a path into segments: the query string is dropped, empty segments (doubled or trailing
     * slashes) are skipped, and a {@code .} or {@code ..} segment makes the whole path invalid (empty).
     */
    static Optional<List<String>> segments(String path) {
        if (path == null) {
            return Optional.empty();
        }
        int query = path.indexOf('?');
        String withoutQuery = query >= 0 ? path.substring(0, query) : path;
        List<String> segments = new ArrayList<>();
        for (String segment : withoutQuery.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.empty();
            }
            segments.add(segment);
        }
        return Optional.of(List.copyOf(segments));
    }

    static boolean validSegment(String value) {
        return value != null && !value.isBlank() && value.length() <= 128 && !value.contains("/")
                && !value.contains("?") && !value.equals(".") && !value.equals("..") && value.strip().equals(value);
    }
}
