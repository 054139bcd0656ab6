package netwatcher.controller.watchers;

import java.time.Instant;
import java.util.Map;
import netwatcher.arm.ArmResourceId;

/** A network watcher resource. {@code location} is normalised (lower case, no spaces). */
public record Watcher(ArmResourceId id, String location, Map<String, String> tags, String etag,
                      String provisioningState, Instant createdAt) {
    public Watcher {
        tags = Map.copyOf(tags);
    }
}
