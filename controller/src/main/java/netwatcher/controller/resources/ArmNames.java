package netwatcher.controller.resources;

import java.util.Locale;
import java.util.UUID;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.http.Exchange;

/** Naming, location and etag rules of ARM resources. Stateless. */
public final class ArmNames {
    private ArmNames() {}

    /** Resource group names: 1-90 of letters, digits, _ - . ( ), not ending in a period. */
    public static String resourceGroup(String name) {
        if (name == null || !name.matches("[\\p{L}\\p{N}_\\-.()]{1,90}") || name.endsWith(".")) {
            throw ArmErrorCode.InvalidResourceName.exception("Resource group name '" + name
                    + "' is invalid: use 1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period.",
                    "resourceGroupName");
        }
        return name;
    }

    /** Network resource names (watchers, captures): 1-80 characters, alphanumeric first, alphanumeric or _ last. */
    public static String networkResource(String kind, String name) {
        if (name == null || !name.matches("[A-Za-z0-9]([A-Za-z0-9_.\\-]{0,78}[A-Za-z0-9_])?")) {
            throw ArmErrorCode.InvalidResourceName.exception("Resource name '" + name + "' is invalid for a " + kind
                    + ": use 1-80 letters, digits, underscores, periods or hyphens, starting with a letter or digit and ending with a letter, digit or underscore.",
                    "name");
        }
        return name;
    }

    /** ARM location names compare without case or spaces ("West Europe" == "westeurope"). */
    public static String location(String location) {
        String l = location == null ? "" : location.replace(" ", "").toLowerCase(Locale.ROOT);
        if (!l.matches("[a-z0-9]{1,64}")) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'location' must be a location name such as 'westeurope'; was '"
                    + location + "'.", "location");
        }
        return l;
    }

    /** A new weak etag, as NRP writes them. */
    public static String newEtag() {
        return "W/\"" + UUID.randomUUID() + "\"";
    }

    /**
     * Applies If-Match / If-None-Match to a write on a resource with etag {@code current} (null when
     * the resource does not exist).
     */
    public static void checkPreconditions(Exchange ex, String current) {
        String ifMatch = ex.header("If-Match");
        if (ifMatch != null) {
            boolean ok = current != null && (ifMatch.trim().equals("*") || ifMatch.trim().equals(current)
                    || ifMatch.trim().equals(current.replace("W/", "")));
            if (!ok) {
                throw ArmErrorCode.PreconditionFailed.exception(current == null
                        ? "If-Match was given but the resource does not exist."
                        : "The If-Match etag " + ifMatch + " does not match the current etag " + current + ".");
            }
        }
        String ifNoneMatch = ex.header("If-None-Match");
        if (ifNoneMatch != null && current != null && (ifNoneMatch.trim().equals("*") || ifNoneMatch.trim().equals(current))) {
            throw ArmErrorCode.PreconditionFailed.exception("If-None-Match was given and the resource exists with etag " + current + ".");
        }
    }
}
