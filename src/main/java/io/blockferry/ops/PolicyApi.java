package io.blockferry.ops;

import io.blockferry.schedule.Policy;
import io.blockferry.schedule.PolicyBusyException;
import io.blockferry.schedule.PolicyFileException;
import io.blockferry.schedule.PolicyRegistry;
import io.blockferry.schedule.PolicyRunner;
import io.blockferry.schedule.UnknownPolicyException;
import io.blockferry.source.Hook;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The REST API of policies: list, reload, and run one now. */
public final class PolicyApi {

    /** A policy as the API shows it. */
    public record PolicyView(String name, String schedule, String nextFire, List<String> volumes, String servers,
                             List<String> excludeDisks, String mode, int fullEvery, int keepSnapshots, int keepPoints,
                             int priority, long bandwidthLimit, List<String> preSnapshot, List<String> postSnapshot) {
    }

    private final PolicyRegistry registry;
    private final PolicyRunner runner;

    public PolicyApi(PolicyRegistry registry, PolicyRunner runner) {
        this.registry = registry;
        this.runner = runner;
    }

    public Map<String, Object> policies() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", registry.file().toString());
        out.put("lastReloadError", registry.lastError());
        out.put("policies", registry.all().stream().map(PolicyApi::view).toList());
        return out;
    }

    public Map<String, Object> reload() {
        try {
            registry.reload();
        } catch (PolicyFileException e) {
            throw new ApiException(400, e.getMessage() + "; the previous " + registry.all().size()
                    + " policies stay active");
        }
        return policies();
    }

    public PolicyRunner.RunSummary run(String name, String mode) {
        Boolean full = null;
        if (mode != null && !mode.isBlank()) {
            if (!mode.equals("full") && !mode.equals("incremental")) {
                throw new ApiException(400, "mode '" + mode + "' is not known: use full or incremental, or leave it "
                        + "out for the policy's own mode");
            }
            full = mode.equals("full");
        }
        try {
            return runner.runNow(name, full);
        } catch (UnknownPolicyException e) {
            throw new ApiException(404, e.getMessage());
        } catch (PolicyBusyException e) {
            throw new ApiException(409, e.getMessage());
        }
    }

    private static PolicyView view(Policy p) {
        String servers = p.selection().selectsServers() ? "name=" + p.selection().serverName() + " tags="
                + p.selection().tags() + " exclude-tags=" + p.selection().excludeTags() + " projects="
                + p.selection().projects() + " domains=" + p.selection().domains() : null;
        String nextFire = Optional.ofNullable(p.nextFireAfter(Instant.now())).map(Instant::toString).orElse(null);
        return new PolicyView(p.name(), p.schedule(), nextFire, p.selection().volumes(), servers,
                p.excludeDisks(), p.fullEvery() == 1 ? "full" : "incremental", p.fullEvery(), p.keepSnapshots(),
                p.keepPoints(), p.priority(), p.bandwidthLimit(), command(p.preSnapshot()), command(p.postSnapshot()));
    }

    private static List<String> command(Hook hook) {
        return hook == null ? null : hook.command();
    }
}
