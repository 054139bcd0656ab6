package netwatcher.controller.auth;

import java.util.List;
import java.util.Optional;

/** Durable role assignments. Implementations are thread-safe. */
public interface RoleAssignmentRepository {
    /**
     * Stores a new assignment; if the same principal already holds the same role at the same scope
     * (scope compared case-insensitively) nothing is stored and the existing one is returned.
     */
    RoleAssignment insert(RoleAssignment assignment);

    Optional<RoleAssignment> find(String id);

    List<RoleAssignment> findByPrincipal(String principalId);

    List<RoleAssignment> list();

    boolean delete(String id);

    int deleteByPrincipal(String principalId);
}
