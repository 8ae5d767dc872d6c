package io.blockferry.inventory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls every configured authentication domain and joins what they saw. A credential without a
 * project polls each project it has a role on with a token scoped to it. Sessions are kept
 * between polls (each renews its token before it expires) and dropped when a login fails.
 * When one of several authentication domains fails, its part of the previous inventory is kept,
 * so the others still move on and nothing of the failed one is forgotten.
 */
public final class CloudPoller {

    private static final Logger LOG = LoggerFactory.getLogger(CloudPoller.class);

    /** What one poll gave: the joined inventory, and the failed authentication domains' errors. */
    public record Result(Inventory inventory, List<String> failures) {
    }

    private final List<OpenStackLogin> logins;
    private final boolean allProjects;
    private final Clock clock;
    private final Map<OpenStackSettings, OpenStackApi> apis = new ConcurrentHashMap<>();

    public CloudPoller(List<OpenStackLogin> logins, boolean allProjects, Clock clock) {
        this.logins = List.copyOf(logins);
        this.allProjects = allProjects;
        this.clock = clock;
    }

    /**
     * @throws OpenStackException when every authentication domain failed, naming each failure
     */
    public Result poll(Inventory previous) {
        Instant polledAt = clock.instant();
        List<Inventory> parts = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int status = 0;
        for (OpenStackLogin login : logins) {
            try {
                parts.add(pollLogin(login));
            } catch (OpenStackException e) {
                apis.keySet().removeIf(s -> s.unscoped().equals(login.settings().unscoped()));
                failures.add(e.getMessage());
                status = status == 0 ? e.httpStatus() : status;
                parts.add(previousPart(previous, login));
            }
        }
        if (failures.size() == logins.size()) {
            throw new OpenStackException(String.join("; ", failures), status);
        }
        return new Result(InventoryMerge.merge(polledAt, parts, List.of()), List.copyOf(failures));
    }

    private Inventory pollLogin(OpenStackLogin login) {
        OpenStackApi first = api(login.settings());
        List<OpenStackApi> scoped = new ArrayList<>();
        if (login.settings().project() != null) {
            scoped.add(first);
        } else {
            List<Project> assigned = KeystoneDirectory.assignedProjects(first).stream()
                    .filter(p -> !login.ownDomainOnly() || p.domainId().equals(first.session().userDomainId())).toList();
            if (assigned.isEmpty()) {
                throw new OpenStackException(login.describe() + " has a role on no project"
                        + (login.ownDomainOnly() ? " of its domain" : "") + ": give it the reader role (admin to see every"
                        + " project) on the projects to protect", 0);
            }
            // With all projects, one admin token lists everything; else each project with its own token.
            for (Project project : allProjects ? assigned.subList(0, 1) : assigned) {
                scoped.add(api(login.settings().scopedTo(project.id())));
            }
        }
        List<Inventory> parts = new ArrayList<>();
        List<Project> directory = new ArrayList<>(KeystoneDirectory.projects(scoped.get(0)));
        for (OpenStackApi api : scoped) {
            parts.add(new InventoryPoller(api, allProjects, clock).poll());
            directory.add(api.session().project());
        }
        Inventory inventory = InventoryMerge.merge(clock.instant(), parts, directory);
        if (!login.ownDomainOnly()) {
            return inventory;
        }
        Set<String> ofDomain = InventoryMerge.projectsOfDomain(inventory, first.session().userDomainId());
        return InventoryMerge.restrict(inventory, ofDomain::contains);
    }

    /** What the previous inventory held of a login that failed now: its domain's projects. */
    private static Inventory previousPart(Inventory previous, OpenStackLogin login) {
        if (!login.ownDomainOnly()) {
            return previous;
        }
        Set<String> ofDomain = InventoryMerge.projectsOfDomain(previous, login.label());
        return InventoryMerge.restrict(previous, ofDomain::contains);
    }

    private OpenStackApi api(OpenStackSettings settings) {
        OpenStackApi api = apis.get(settings);
        if (api == null) {
            api = new OpenStackApi(settings);
            apis.put(settings, api);
            LOG.info("Authenticated to Keystone as {} for {}", settings.describe(), settings.scope());
        }
        return api;
    }
}
