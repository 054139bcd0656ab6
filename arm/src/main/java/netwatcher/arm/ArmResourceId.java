package netwatcher.arm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An ARM resource id such as
 * {@code /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/networkWatchers/{nw}/packetCaptures/{pc}}.
 * Segment keywords and names compare case-insensitively, as in ARM; {@link #toString()} keeps the
 * spelling it was built with and {@link #key()} is the lower-cased form used for storage and equality.
 *
 * @param subscriptionId the subscription (never null)
 * @param resourceGroup  the resource group, or null for subscription-level ids
 * @param namespace      the provider namespace ({@code Microsoft.Network}), or null
 * @param types          resource type segments ({@code networkWatchers}, {@code packetCaptures})
 * @param names          the name for each type segment
 */
public record ArmResourceId(String subscriptionId, String resourceGroup, String namespace,
                            List<String> types, List<String> names) {

    public ArmResourceId {
        types = List.copyOf(types);
        names = List.copyOf(names);
        if (subscriptionId == null || subscriptionId.isBlank()) throw new IllegalArgumentException("subscription is required");
        if (types.size() != names.size()) throw new IllegalArgumentException("types and names differ in length");
        if (!types.isEmpty() && (namespace == null || resourceGroup == null)) {
            throw new IllegalArgumentException("typed ids need a resource group and a provider namespace");
        }
    }

    /** Parses strictly; the message names {@code field} and says what shape was expected. */
    public static ArmResourceId parse(String text, String field) {
        return tryParse(text).orElseThrow(() -> ArmErrorCode.InvalidParameter.exception(
                "Property '" + field + "' must be an ARM resource id like /subscriptions/{subscriptionId}/resourceGroups/"
                        + "{resourceGroup}/providers/{namespace}/{type}/{name}; was '" + text + "'.", field));
    }

    /** Parses leniently (a missing leading slash is tolerated, as Azure's own examples omit it). */
    public static Optional<ArmResourceId> tryParse(String text) {
        if (text == null) return Optional.empty();
        String t = text.trim();
        if (t.startsWith("/")) t = t.substring(1);
        if (t.endsWith("/")) t = t.substring(0, t.length() - 1);
        if (t.isEmpty()) return Optional.empty();
        String[] s = t.split("/", -1);
        // No ARM name has control characters or surrounding spaces; one that did would not survive toString and back.
        for (String part : s) {
            if (part.isBlank() || !part.strip().equals(part) || part.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) return Optional.empty();
        }
        if (s.length < 2 || !s[0].equalsIgnoreCase("subscriptions")) return Optional.empty();
        String sub = s[1];
        if (s.length == 2) return Optional.of(new ArmResourceId(sub, null, null, List.of(), List.of()));
        if (s.length < 4 || !s[2].equalsIgnoreCase("resourceGroups")) return Optional.empty();
        String rg = s[3];
        if (s.length == 4) return Optional.of(new ArmResourceId(sub, rg, null, List.of(), List.of()));
        if (s.length < 8 || !s[4].equalsIgnoreCase("providers") || (s.length - 6) % 2 != 0) return Optional.empty();
        String ns = s[5];
        List<String> types = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 6; i < s.length; i += 2) {
            types.add(s[i]);
            names.add(s[i + 1]);
        }
        return Optional.of(new ArmResourceId(sub, rg, ns, types, names));
    }

    public static ArmResourceId subscription(String sub) {
        return new ArmResourceId(sub, null, null, List.of(), List.of());
    }

    public static ArmResourceId resourceGroup(String sub, String rg) {
        return new ArmResourceId(sub, rg, null, List.of(), List.of());
    }

    /** A top-level resource id: {@code /subscriptions/s/resourceGroups/rg/providers/ns/type/name}. */
    public static ArmResourceId of(String sub, String rg, String namespace, String type, String name) {
        return new ArmResourceId(sub, rg, namespace, List.of(type), List.of(name));
    }

    /** This id with one more {@code /type/name} pair. */
    public ArmResourceId child(String type, String name) {
        List<String> t = new ArrayList<>(types);
        List<String> n = new ArrayList<>(names);
        t.add(type);
        n.add(name);
        return new ArmResourceId(subscriptionId, resourceGroup, namespace, t, n);
    }

    /** The parent resource, or empty for top-level resources. */
    public Optional<ArmResourceId> parent() {
        if (types.size() <= 1) return Optional.empty();
        return Optional.of(new ArmResourceId(subscriptionId, resourceGroup, namespace,
                types.subList(0, types.size() - 1), names.subList(0, names.size() - 1)));
    }

    /** The full type, e.g. {@code Microsoft.Network/networkWatchers/packetCaptures}. */
    public String type() {
        if (namespace == null) return resourceGroup == null ? "Microsoft.Resources/subscriptions" : "Microsoft.Resources/resourceGroups";
        return namespace + "/" + String.join("/", types);
    }

    /** The last name segment (the resource's own name). */
    public String name() {
        if (!names.isEmpty()) return names.getLast();
        return resourceGroup != null ? resourceGroup : subscriptionId;
    }

    /** True when the type matches {@code fullType} case-insensitively. */
    public boolean isType(String fullType) { return type().equalsIgnoreCase(fullType); }

    /** The lower-cased id: the storage key and the basis of equality between spellings. */
    public String key() { return toString().toLowerCase(Locale.ROOT); }

    /** Case-insensitive equality of two ids. */
    public boolean sameAs(ArmResourceId other) { return other != null && key().equals(other.key()); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("/subscriptions/").append(subscriptionId);
        if (resourceGroup != null) sb.append("/resourceGroups/").append(resourceGroup);
        if (namespace != null) {
            sb.append("/providers/").append(namespace);
            for (int i = 0; i < types.size(); i++) sb.append('/').append(types.get(i)).append('/').append(names.get(i));
        }
        return sb.toString();
    }
}
