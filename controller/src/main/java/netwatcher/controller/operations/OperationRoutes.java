package netwatcher.controller.operations;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.controller.http.AccessControl;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.Router;

/**
 * The two polling endpoints of ARM long-running operations:
 * {@code GET .../locations/{location}/operations/{id}} (Azure-AsyncOperation: always 200 with a
 * status body, with {@code percentComplete} and {@code properties} while a feature reports progress) and {@code GET .../locations/{location}/operationResults/{id}} (Location: 202 while
 * running, then the final answer of the original call).
 */
public final class OperationRoutes {
    private static final String BASE = "/subscriptions/{sub}/providers/Microsoft.Network/locations/{location}";
    private final OperationService operations;
    private final AccessControl access;

    public OperationRoutes(OperationService operations, AccessControl access) {
        this.operations = operations;
        this.access = access;
    }

    public void register(Router router) {
        router.add("GET", BASE + "/operations/{id}", Router.Kind.ARM_DEFERRED_AUTHZ, this::status);
        router.add("GET", BASE + "/operationResults/{id}", Router.Kind.ARM_DEFERRED_AUTHZ, this::result);
    }

    /**
     * The operation, authorized before it is resolved: a caller with no role in the subscription gets
     * 403 whether or not the operation exists; otherwise it needs read access to the resource the
     * operation acts on (the capture, the watcher of a check), as a GET of that resource would.
     */
    private Operation load(Exchange ex, Map<String, String> vars) {
        String path = "/subscriptions/" + vars.get("sub") + "/providers/Microsoft.Network/locations/" + vars.get("location")
                + "/operations/" + vars.get("id");
        if (!access.canSee(ex.caller(), vars.get("sub"))) access.authorize(ex.caller(), "GET", path);
        Supplier<ArmException> notFound = () -> ArmErrorCode.OperationNotFound.exception("Operation '" + vars.get("id")
                + "' was not found in subscription '" + vars.get("sub") + "' and location '" + vars.get("location") + "'.");
        Operation found = operations.find(vars.get("id"))
                .filter(o -> o.subscriptionId().equalsIgnoreCase(vars.get("sub")) && o.location().equalsIgnoreCase(vars.get("location")))
                .orElseThrow(notFound);
        access.authorize(ex.caller(), "GET", operations.resourceOf(found));
        // empty once the operation has expired (or its computed target is gone): 404, as ARM
        return operations.poll(found.id()).orElseThrow(notFound);
    }

    private void status(Exchange ex, Map<String, String> vars) {
        Operation op = load(ex, vars);
        if (!op.done()) operations.setRetryAfter(ex, op);
        var progress = operations.progress(op);
        ex.json(200, Exchange.object(
                "id", "/subscriptions/" + vars.get("sub") + "/providers/Microsoft.Network/locations/" + op.location() + "/operations/" + op.id(),
                "name", op.id(),
                "status", op.status().name(),
                "startTime", op.createdAt().toString(),
                "endTime", op.done() ? op.updatedAt().toString() : null,
                "percentComplete", progress.map(OperationResolver.Progress::percentComplete).orElse(null),
                "properties", progress.map(OperationResolver.Progress::properties).orElse(null),
                "error", op.status() == Operation.Status.Failed ? op.error() : null));
    }

    private void result(Exchange ex, Map<String, String> vars) {
        Operation op = load(ex, vars);
        switch (op.status()) {
            case InProgress -> {
                operations.setPollingHeaders(ex, op, true);
                ex.empty(202);
            }
            case Succeeded -> {
                int status = op.httpStatus() == null ? 200 : op.httpStatus();
                if (op.resultJson() == null || status == 204) ex.empty(status);
                else ex.send(status, "application/json; charset=utf-8", op.resultJson().getBytes(StandardCharsets.UTF_8));
            }
            case Failed -> ex.json(op.httpStatus() == null ? 500 : op.httpStatus(), Map.of("error", op.error()));
        }
    }
}
