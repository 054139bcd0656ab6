package netwatcher.controller.compat;

import java.util.List;
import java.util.Map;

/** The environment an external client runs in: it reaches the controller on loopback and nothing else. */
final class ClientEnvironment {
    /** A proxy nobody listens on (TCP port 9, discard): every request that is not for 127.0.0.1 fails at once. */
    static final String DEAD_PROXY = "http://127.0.0.1:9";

    private ClientEnvironment() {}

    /**
     * Points every proxy variable at {@link #DEAD_PROXY} and exempts only loopback, so a client that
     * tried to reach Azure (instance discovery, telemetry, update checks) fails loudly instead of
     * leaving the machine.
     */
    static void confine(Map<String, String> env) {
        for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")) {
            env.put(name, DEAD_PROXY);
        }
        env.put("NO_PROXY", "127.0.0.1,localhost");
        env.put("no_proxy", "127.0.0.1,localhost");
    }
}
