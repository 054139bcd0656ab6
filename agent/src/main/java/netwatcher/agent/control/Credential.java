package netwatcher.agent.control;

import netwatcher.model.agent.EnrollResponse;
import netwatcher.model.agent.ProtocolVersion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The agent's credential, kept in {@code <state-dir>/credential.json} with mode 0600 and written once
 * after enrollment. Immutable; thread-safe.
 *
 * @param agentId the controller's id of this agent
 * @param secret  the agent's secret (never logged)
 * @param vmId    the ARM id of the VM this agent acts for
 */
public record Credential(String agentId, String secret, String vmId) {
    /** The file name inside the state directory. */
    public static final String FILE = "credential.json";

    public Credential {
        if (agentId == null || agentId.isBlank() || secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("credential needs agentId and secret");
        }
    }

    public static Credential of(EnrollResponse response) {
        return new Credential(response.agentId(), response.secret(), response.vmId());
    }

    /** {@code nwa.<agentId>.<secret>}, the Authorization bearer value. */
    public String bearer() { return ProtocolVersion.CREDENTIAL_PREFIX + agentId + "." + secret; }

    @Override
    public String toString() { return "Credential[agentId=" + agentId + ", vmId=" + vmId + "]"; }

    /** The stored credential, or empty when the agent has not enrolled. */
    public static Optional<Credential> load(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) return Optional.empty();
        return Optional.of(AgentJson.MAPPER.readValue(file.toFile(), Credential.class));
    }

    /** Stores the credential atomically with mode 0600. */
    public void store(Path stateDir) throws IOException {
        DurableFiles.writeAtomically(stateDir.resolve(FILE), AgentJson.MAPPER.writeValueAsBytes(this), true);
    }
}
