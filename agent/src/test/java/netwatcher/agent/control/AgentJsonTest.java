package netwatcher.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import netwatcher.model.agent.Orders;
import netwatcher.model.check.CheckRole;
import org.junit.jupiter.api.Test;

/** The agent reads what a newer controller may send without refusing the orders it does know. */
class AgentJsonTest {

    @Test
    void anUnknownCheckRole_readsAsNull_andTheOtherOrdersStillRead() throws Exception {
        String json = """
                {"generation":7,"captures":[],"checks":[
                  {"key":"k-1","checkId":"/c/1","role":"tomorrow","active":true},
                  {"key":"k-2","checkId":"/c/2","role":"nexthop","active":true}]}""";
        Orders orders = AgentJson.MAPPER.readValue(json, Orders.class);
        assertEquals(2, orders.checks().size());
        assertNull(orders.checks().get(0).role(), "skipped by CheckExecutor.apply");
        assertEquals(CheckRole.NEXTHOP, orders.checks().get(1).role());
        assertEquals("\"nexthop\"", AgentJson.MAPPER.writeValueAsString(CheckRole.NEXTHOP), "the wire keeps its lower-case words");
    }
}
