package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * A VM's agent health, the way Azure shows a VM extension's: the VM's {@code resources} list names its
 * Network Watcher extension, whose {@code instanceView.statuses[0]} says Connected, Disconnected or
 * Not installed and when the agent was last seen. {@link #expand} replaces the references in a VM body
 * by the extensions themselves (what ARM's {@code $expand} does), so JSON readers see it too.
 * Stateless.
 */
final class AgentHealth {
    private AgentHealth() {}

    /** {@code vm} with each extension reference in {@code resources} replaced by the extension's body. */
    static JsonNode expand(ArmClient arm, JsonNode vm) {
        if (!vm.path("resources").isArray() || !vm.isObject()) return vm;
        ObjectNode copy = vm.deepCopy();
        ArrayNode resources = copy.putArray("resources");
        for (JsonNode ref : vm.path("resources")) {
            String id = ref.path("id").asText("");
            if (!id.toLowerCase(Locale.ROOT).contains("/extensions/") || ref.has("properties")) {
                resources.add(ref);
                continue;
            }
            ArmClient.Response r = arm.send("GET", id, ArmClient.COMPUTE_API, null);
            resources.add(r.status() == 200 ? r.body() : ref);
        }
        return copy;
    }

    /** The first extension status of an expanded VM (displayStatus, time), or a missing node. */
    static JsonNode status(JsonNode vm) {
        for (JsonNode ext : vm.path("resources")) {
            JsonNode statuses = ext.path("properties").path("instanceView").path("statuses");
            if (statuses.isArray() && !statuses.isEmpty()) return statuses.get(0);
        }
        return MissingNode.getInstance();
    }
}
