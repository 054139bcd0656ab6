package netwatcher.controller.auth;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Durable service principals (secret hashes only). Implementations are thread-safe. */
public interface ServicePrincipalRepository {
    void insert(ServicePrincipal servicePrincipal);

    Optional<ServicePrincipal> find(UUID clientId);

    List<ServicePrincipal> list();

    /** Replaces the secret hash; false when the client does not exist. */
    boolean updateSecretHash(UUID clientId, String secretHash);

    boolean delete(UUID clientId);
}
