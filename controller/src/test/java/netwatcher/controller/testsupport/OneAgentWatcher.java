package netwatcher.controller.testsupport;

import java.time.Duration;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's controller with one agent: before the class, a real {@link TestController} on a temporary data
 * directory and one {@link TestAgent} registered for VM {@code vmName} in resource group {@code lab}, region
 * {@code westeurope}, whose registration makes that region's default watcher, {@link #watcher()}; after the class (and
 * when the agent fails to register) the controller is closed and its directory deleted. Register it on a static field:
 *
 * <pre>{@code @RegisterExtension static final OneAgentWatcher env = new OneAgentWatcher(Duration.ofSeconds(3), "vm1");}</pre>
 */
public final class OneAgentWatcher implements BeforeAllCallback, AfterAllCallback {
    /** The api-version the single-agent API tests speak. */
    public static final String V = "?api-version=2025-05-01";
    public static final String GROUP = "lab";
    public static final String LOCATION = "westeurope";

    private final Duration agentWait;
    private final String vmName;
    private TestController controller;
    private TestAgent agent;

    /** {@code agentWait}: how long a capture waits for its agent before failing; {@code vmName}: the agent's VM. */
    public OneAgentWatcher(Duration agentWait, String vmName) {
        this.agentWait = agentWait;
        this.vmName = vmName;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        controller = new TestController(agentWait);
        try {
            agent = new TestAgent(controller, GROUP, vmName, LOCATION);
        } catch (Exception | Error e) {
            controller.close();
            controller = null;
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (controller != null) controller.close();
        controller = null;
        agent = null;
    }

    public TestController controller() { return started(controller); }

    public TestAgent agent() { return started(agent); }

    /** The id of the default watcher of {@link #LOCATION} in the controller's default subscription. */
    public String watcher() {
        return "/subscriptions/" + controller().sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_"
                + LOCATION;
    }

    private static <T> T started(T value) {
        if (value == null) throw new IllegalStateException("OneAgentWatcher is used outside its test class (register it with @RegisterExtension on a static field)");
        return value;
    }
}
