package netwatcher.controller.connectivity;

import java.time.Duration;
import java.util.Map;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.Router;
import netwatcher.controller.operations.Operation;
import netwatcher.controller.operations.OperationService;
import netwatcher.controller.resources.ArmNames;
import netwatcher.controller.subscriptions.SubscriptionService;
import netwatcher.controller.watchers.Watcher;
import netwatcher.controller.watchers.WatcherRoutes;
import netwatcher.controller.watchers.WatcherService;

/** POST connectivityCheck, ipFlowVerify and nextHop: 202 with Location and Azure-AsyncOperation. */
public final class CheckRoutes {
    private final CheckService checks;
    private final WatcherService watchers;
    private final SubscriptionService subscriptions;
    private final OperationService operations;

    public CheckRoutes(CheckService checks, WatcherService watchers, SubscriptionService subscriptions, OperationService operations) {
        this.checks = checks;
        this.watchers = watchers;
        this.subscriptions = subscriptions;
        this.operations = operations;
    }

    public void register(Router router) {
        router.add("POST", WatcherRoutes.NW + "/connectivityCheck", Router.Kind.ARM,
                (ex, v) -> start(ex, v, CheckRequestParser.connectivity(ex.body(Long.MAX_VALUE), ex.apiVersion())));
        router.add("POST", WatcherRoutes.NW + "/ipFlowVerify", Router.Kind.ARM,
                (ex, v) -> start(ex, v, CheckRequestParser.ipFlowVerify(ex.body(Long.MAX_VALUE))));
        router.add("POST", WatcherRoutes.NW + "/nextHop", Router.Kind.ARM,
                (ex, v) -> start(ex, v, CheckRequestParser.nextHop(ex.body(Long.MAX_VALUE))));
    }

    private void start(Exchange ex, Map<String, String> v, CheckRequest req) {
        subscriptions.require(v.get("sub"));
        Watcher w = watchers.require(WatcherService.id(v.get("sub"), ArmNames.resourceGroup(v.get("rg")), v.get("nw")));
        String key = checks.create(ex.caller(), w, req, ex.apiVersion(), ex.baseUrl());
        Operation op = operations.start(ex, v.get("sub"), w.location(), CheckService.OP_KIND, key, Duration.ofMinutes(5));
        operations.accepted(ex, op);
    }
}
