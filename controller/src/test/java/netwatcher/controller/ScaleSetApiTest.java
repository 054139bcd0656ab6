package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import netwatcher.arm.Json;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Scale sets over HTTPS against a real controller: agents that report {@code scaleSet} in their host
 * report become the instances of {@code Microsoft.Compute/virtualMachineScaleSets/NAME} (GET, list by
 * group and subscription, {@code virtualMachines} with {@code instanceId}, one instance), in the
 * Compute API's shapes; a VM names its set; one that leaves is no longer an instance; a bad name is
 * refused naming the field.
 */
@Tag("e2e")
class ScaleSetApiTest {
    static final String V = "?api-version=2024-07-01";
    static TestController c;
    static TestAgent db1, db2, app;
    static String sets;

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofSeconds(30));
        db1 = new TestAgent(c, "lab", "db1", "westeurope", List.of("198.18.3.10/24"));
        db2 = new TestAgent(c, "lab", "db2", "westeurope", List.of("198.18.3.11/24"));
        app = new TestAgent(c, "lab", "app", "westeurope", List.of("198.18.1.10/24"));
        join(db1, "198.18.3.10/24", "dbss");
        join(db2, "198.18.3.11/24", "dbss");
        sets = "/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachineScaleSets";
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) c.close();
    }

    static TestController.Reply join(TestAgent agent, String address, String scaleSet) throws Exception {
        return c.send("PUT", "/agent/v1/host", Json.writeString(new HostReport("test-1.0", agent.vmName, "Debian",
                List.of(new NicReport("eth0", "02:00:00:00:00:0" + agent.vmName.length(), List.of(address), true)), List.of("capture"),
                List.of(), List.of(), scaleSet)), agent.bearer());
    }

    static JsonNode get(String path) throws Exception {
        var r = c.send("GET", path + V, null);
        assertEquals(200, r.status(), path + ": " + r.body());
        return r.json();
    }

    static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    @Test
    void get_scaleSetOfTwoAgents_answersTheComputeShape() throws Exception {
        JsonNode set = get(sets + "/dbss");

        assertEquals(sets + "/dbss", set.path("id").asText());
        assertEquals("dbss", set.path("name").asText());
        assertEquals("Microsoft.Compute/virtualMachineScaleSets", set.path("type").asText());
        assertEquals("westeurope", set.path("location").asText());
        assertEquals(2, set.path("sku").path("capacity").asInt());
        assertEquals("Succeeded", set.path("properties").path("provisioningState").asText());
        assertFalse(set.path("properties").path("uniqueId").asText().isEmpty());
        assertEquals("dbss", set.path("properties").path("virtualMachineProfile").path("osProfile").path("computerNamePrefix").asText());
    }

    @Test
    void list_byGroupAndSubscription_showTheSet() throws Exception {
        assertEquals(List.of("dbss"), texts(get(sets).path("value"), "name"));
        assertEquals(List.of("dbss"), texts(get("/subscriptions/" + c.sub + "/providers/Microsoft.Compute/virtualMachineScaleSets")
                .path("value"), "name"));
    }

    @Test
    void virtualMachines_listInstancesWithInstanceIdsInJoiningOrder() throws Exception {
        JsonNode instances = get(sets + "/dbss/virtualMachines").path("value");

        assertEquals(List.of("0", "1"), texts(instances, "instanceId"));
        assertEquals(List.of("dbss_0", "dbss_1"), texts(instances, "name"));
        assertEquals(List.of(sets + "/dbss/virtualMachines/0", sets + "/dbss/virtualMachines/1"), texts(instances, "id"));
        assertEquals("Microsoft.Compute/virtualMachineScaleSets/virtualMachines", instances.get(0).path("type").asText());
        assertEquals("db2", instances.get(1).path("properties").path("osProfile").path("computerName").asText());
        JsonNode vm = get("/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachines/db2");
        assertEquals(vm.path("properties").path("vmId").asText(), instances.get(1).path("properties").path("vmId").asText());
        assertEquals(sets + "/dbss", vm.path("properties").path("virtualMachineScaleSet").path("id").asText());
    }

    @Test
    void virtualMachine_oneInstance_orResourceNotFound() throws Exception {
        assertEquals("db1", get(sets + "/dbss/virtualMachines/0").path("properties").path("osProfile").path("computerName").asText());

        var missing = c.send("GET", sets + "/dbss/virtualMachines/7" + V, null);
        assertEquals(404, missing.status(), missing.body());
        assertEquals("ResourceNotFound", missing.json().path("error").path("code").asText());
        var noSet = c.send("GET", sets + "/nosuch" + V, null);
        assertEquals(404, noSet.status(), noSet.body());
        JsonNode standAlone = get("/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachines/app");
        assertTrue(standAlone.path("properties").path("virtualMachineScaleSet").isMissingNode(), standAlone.toString());
    }

    @Test
    void hostReport_leavingAndRejoining_movesTheInstanceToANewId() throws Exception {
        TestAgent db3 = new TestAgent(c, "lab", "db3", "westeurope", List.of("198.18.3.12/24"));
        assertEquals(200, join(db3, "198.18.3.12/24", "dbss").status());
        assertEquals(List.of("0", "1", "2"), texts(get(sets + "/dbss/virtualMachines").path("value"), "instanceId"));

        assertEquals(200, join(db3, "198.18.3.12/24", null).status());
        assertEquals(2, get(sets + "/dbss").path("sku").path("capacity").asInt());
        assertEquals(200, join(db3, "198.18.3.12/24", "other").status());
        assertEquals(List.of("dbss", "other"), texts(get(sets).path("value"), "name"));
        assertEquals(List.of("0"), texts(get(sets + "/other/virtualMachines").path("value"), "instanceId"));
        assertEquals(200, join(db3, "198.18.3.12/24", null).status());
    }

    @Test
    void hostReport_badScaleSetName_isRefusedNamingTheField() throws Exception {
        var r = join(app, "198.18.1.10/24", "../etc");

        assertEquals(400, r.status(), r.body());
        assertEquals("scaleSet", r.json().path("error").path("target").asText());
    }
}
