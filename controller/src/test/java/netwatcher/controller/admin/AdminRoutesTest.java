package netwatcher.controller.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import netwatcher.arm.Json;
import netwatcher.controller.TestController;
import netwatcher.model.agent.EnrollRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin API over HTTPS: subscriptions, agents, secret reset, scoped enrollment tokens. */
@Tag("e2e")
class AdminRoutesTest {
    static TestController c;

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    static TestController.Reply enroll(String token, String sub, String rg, String vm) throws Exception {
        return c.send("POST", "/agent/v1/enroll", Json.writeString(new EnrollRequest(token, sub, rg, vm, "westeurope", vm)), null);
    }

    @Test
    void scopedEnrollmentToken_enrollsInsideItsScopeOnly() throws Exception {
        var created = c.send("POST", "/admin/v1/enrollmentTokens",
                "{\"subscriptionId\":\"" + c.sub + "\",\"resourceGroup\":\"lab\",\"maxUses\":5}");
        assertEquals(201, created.status(), created.body());
        String token = created.json().path("token").asText();

        assertEquals(200, enroll(token, c.sub, "LAB", "scoped1").status());
        var outside = enroll(token, c.sub, "elsewhere", "scoped2");
        assertTrue(outside.status() == 401 || outside.status() == 403, outside.body());

        var list = c.send("GET", "/admin/v1/enrollmentTokens", null);
        assertFalse(list.body().contains("secretHash"), list.body());
        assertFalse(list.body().contains(token.substring(token.lastIndexOf('.') + 1)), "the secret is never listed");
        assertEquals(1, list.json().path("value").get(0).path("uses").asInt(), list.body());
    }

    @Test
    void agents_listedAndRevoked_thenTheirCredentialFails() throws Exception {
        var e = enroll(c.token, c.sub, "lab", "agentvm");
        assertEquals(200, e.status(), e.body());
        String agentId = e.json().path("agentId").asText();
        String bearer = "Bearer nwa." + agentId + "." + e.json().path("secret").asText();
        assertEquals(200, c.send("GET", "/agent/v1/orders?after=-1&waitSeconds=0", null, bearer).status());

        assertTrue(c.send("GET", "/admin/v1/agents", null).body().contains(agentId));
        assertEquals(204, c.send("DELETE", "/admin/v1/agents/" + agentId, null).status());
        assertEquals(401, c.send("GET", "/agent/v1/orders?after=-1&waitSeconds=0", null, bearer).status());
        assertEquals(404, c.send("DELETE", "/admin/v1/agents/nope", null).status());
    }

    @Test
    void subscriptions_createdListedAndUsable() throws Exception {
        var created = c.send("POST", "/admin/v1/subscriptions", "{\"subscriptionId\":\"team-b\",\"displayName\":\"Team B\"}");
        assertEquals(201, created.status(), created.body());
        assertTrue(c.send("GET", "/admin/v1/subscriptions", null).body().contains("Team B"));
        assertEquals(200, c.send("GET", "/subscriptions/team-b?api-version=2022-12-01", null).status());
        assertEquals(409, c.send("POST", "/admin/v1/subscriptions", "{\"subscriptionId\":\"TEAM-B\"}").status());
        assertEquals(400, c.send("POST", "/admin/v1/subscriptions", "{\"subscriptionId\":\"bad id!\"}").status());
    }

    @Test
    void resetSecret_replacesTheSecret_andUnknownPrincipalsAre404() throws Exception {
        var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"ci\"}").json();
        String clientId = sp.path("clientId").asText();
        var reset = c.send("POST", "/admin/v1/servicePrincipals/" + clientId + "/resetSecret", null);
        assertEquals(200, reset.status(), reset.body());
        assertNotEquals(sp.path("clientSecret").asText(), reset.json().path("clientSecret").asText());
        assertEquals(404, c.send("POST", "/admin/v1/servicePrincipals/00000000-0000-0000-0000-000000000001/resetSecret", null).status());
        assertEquals(404, c.send("DELETE", "/admin/v1/servicePrincipals/00000000-0000-0000-0000-000000000001", null).status());
        assertEquals(404, c.send("DELETE", "/admin/v1/roleAssignments/nope", null).status());
        assertEquals(404, c.send("DELETE", "/admin/v1/enrollmentTokens/nope", null).status());
        assertEquals(204, c.send("DELETE", "/admin/v1/servicePrincipals/" + clientId, null).status());
    }
}
