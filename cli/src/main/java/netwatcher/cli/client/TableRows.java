package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * The rows {@code -o table} shows for resources, with the columns az shows: name, resource group and
 * location first, then what a reader looks for (a VM's agent health, a capture's status and short
 * target). Each row is a flat object; {@link Output} lays it out. Stateless.
 */
final class TableRows {
    private TableRows() {}

    /** {@code resourceGroups/{rg}} of an ARM id, or "" when it has none. */
    static String resourceGroup(String id) {
        String[] parts = id.split("/");
        for (int i = 0; i + 1 < parts.length; i++) {
            if (parts[i].toLowerCase(Locale.ROOT).equals("resourcegroups")) return parts[i + 1];
        }
        return "";
    }

    /** The last segment of an ARM id: a VM's name for a capture's target. */
    static String shortName(String id) {
        String trimmed = id.replaceAll("/+$", "");
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }

    /** Name, ResourceGroup, Location, Agent (Connected/Disconnected/Not installed/unknown), LastSeen. */
    static ObjectNode vm(JsonNode vm) {
        ObjectNode row = Output.object();
        row.put("name", vm.path("name").asText());
        row.put("resourceGroup", resourceGroup(vm.path("id").asText()));
        row.put("location", vm.path("location").asText());
        JsonNode status = AgentHealth.status(vm);
        row.put("agent", status.isMissingNode() ? "unknown" : status.path("displayStatus").asText("unknown"));
        row.put("lastSeen", status.path("time").asText(""));
        return row;
    }

    /** Name, ResourceGroup, Location, Target (the VM's name), Status (queryStatus's), ProvisioningState. */
    static ObjectNode capture(JsonNode capture, String location, JsonNode status) {
        ObjectNode row = Output.object();
        row.put("name", capture.path("name").asText());
        row.put("resourceGroup", resourceGroup(capture.path("id").asText()));
        row.put("location", location);
        row.put("target", shortName(capture.path("properties").path("target").asText("")));
        row.put("status", status.path("packetCaptureStatus").asText(""));
        row.put("provisioningState", capture.path("properties").path("provisioningState").asText(""));
        return row;
    }
}
