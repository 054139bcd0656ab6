package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import netwatcher.controller.TestController;

/** {@code nw login} against a test controller, for the suites that serve one (kept out of {@link Cli}, which the unit lane uses). */
final class CliLogin {
    private CliLogin() {}

    /** Logs in to {@code c} as its admin into the client configuration {@code config}; fails the test if it cannot. */
    static void login(Path config, TestController c) {
        Cli.Run login = Cli.run("login", "--config", config.toString(), "--endpoint", c.controller.baseUrl(), "--token", c.token,
                "--ca-file", c.controller.caFile().toString());
        assertEquals(0, login.exit(), login.toString());
    }
}
