package netwatcher.controller.agents;

import java.util.Optional;

/** Redeems enrollment tokens the admin issued. Thread-safe. */
public interface EnrollmentTokens {
    /**
     * Consumes one use of {@code token}; empty when it is unknown, revoked, expired or used up.
     * The grant may limit the subscription and resource group the agent can enroll into; a token
     * limited that way is redeemed only for an agent that asks for a VM inside its scope.
     */
    Optional<Grant> redeem(String token, String subscriptionId, String resourceGroup);

    /** What a redeemed token allows; null fields mean "any". */
    record Grant(String subscriptionId, String resourceGroup) {}
}
