package netwatcher.controller.agents;

import java.util.Optional;

/** Redeems enrollment tokens the admin issued. Thread-safe. */
public interface EnrollmentTokens {
    /**
     * Consumes one use of {@code token}; empty when it is unknown, revoked, expired or used up.
     * The grant may limit the subscription and resource group the agent can enroll into.
     */
    Optional<Grant> redeem(String token);

    /** What a redeemed token allows; null fields mean "any". */
    record Grant(String subscriptionId, String resourceGroup) {}
}
