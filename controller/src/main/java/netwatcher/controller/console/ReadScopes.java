package netwatcher.controller.console;

import java.util.HashMap;
import java.util.Map;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.http.AccessControl;
import netwatcher.controller.http.Caller;

/**
 * One caller's permissions, asked of {@link AccessControl} once per resource group and remembered for one
 * request or one event stream: role assignments cover whole resource groups, so every resource of a group gets
 * the same answer. Not thread-safe.
 */
final class ReadScopes {
    private final AccessControl access;
    private final Caller caller;
    private final Map<String, Boolean> reads = new HashMap<>();
    private final Map<String, Boolean> writes = new HashMap<>();

    ReadScopes(AccessControl access, Caller caller) {
        this.access = access;
        this.caller = caller;
    }

    /** Whether the caller may read {@code id} (Reader at its group or subscription). */
    boolean reads(ArmResourceId id) {
        return reads.computeIfAbsent(group(id), g -> access.allows(caller, AccessControl.Permission.READ, id));
    }

    /** Whether the caller may act on {@code id} (Contributor). */
    boolean writes(ArmResourceId id) {
        return writes.computeIfAbsent(group(id), g -> access.allows(caller, AccessControl.Permission.WRITE, id));
    }

    private static String group(ArmResourceId id) {
        return (id.subscriptionId() + "/" + id.resourceGroup()).toLowerCase(java.util.Locale.ROOT);
    }
}
