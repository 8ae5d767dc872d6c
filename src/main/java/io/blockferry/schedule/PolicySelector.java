package io.blockferry.schedule;

import io.blockferry.schedule.ServerDirectory.Disk;
import io.blockferry.schedule.ServerDirectory.ServerDisks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns a policy's selection into the disks to sync. A disk selected by two policies belongs to
 * the first of them in the policy file; the other reports a conflict and leaves it alone, so
 * nothing is synced twice.
 */
public final class PolicySelector {

    /** A disk to sync; {@code serverId} and {@code device} are null for a volume selected by pattern. */
    public record Target(String volumeId, String host, String serverId, String device) {
    }

    /** @param subject the disk's server, or the volume, that several policies select */
    public record Conflict(String subject, String owner, List<String> others) {
    }

    /** @param problems selections that could not be resolved, such as a missing pool */
    public record Selected(List<Target> targets, List<Conflict> conflicts, List<String> problems) {
    }

    private final ServerDirectory servers;
    private final Function<String, List<String>> imagesOfPool;

    public PolicySelector(ServerDirectory servers, Function<String, List<String>> imagesOfPool) {
        this.servers = servers;
        this.imagesOfPool = imagesOfPool;
    }

    public Selected select(Policy policy, List<Policy> all) {
        Map<String, List<String>> images = new HashMap<>();
        List<String> problems = new ArrayList<>();
        List<ServerDisks> directory = servers.servers();
        Map<String, Map<String, Target>> byPolicy = new LinkedHashMap<>();
        for (Policy p : all) {
            byPolicy.put(p.name(), candidates(p, directory, images, p == policy ? problems : new ArrayList<>()));
        }
        List<Conflict> conflicts = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        for (Target t : byPolicy.getOrDefault(policy.name(), Map.of()).values()) {
            List<String> selecting = byPolicy.entrySet().stream().filter(e -> e.getValue().containsKey(t.volumeId()))
                    .map(Map.Entry::getKey).toList();
            String owner = selecting.get(0);
            if (selecting.size() > 1) {
                conflicts.add(new Conflict(subject(t, directory), owner, selecting.subList(1, selecting.size())));
            }
            if (owner.equals(policy.name())) {
                targets.add(t);
            }
        }
        return new Selected(targets, List.copyOf(conflicts), problems);
    }

    private Map<String, Target> candidates(Policy p, List<ServerDisks> directory, Map<String, List<String>> images,
                                           List<String> problems) {
        Map<String, Target> out = new LinkedHashMap<>();
        Selection s = p.selection();
        for (String pool : s.volumes().stream().map(v -> v.substring(0, v.indexOf('/'))).distinct().toList()) {
            for (String image : images(pool, images, problems)) {
                String volumeId = pool + "/" + image;
                if (s.matchesVolume(pool, image) && !p.excludes(volumeId, image)) {
                    out.put(volumeId, new Target(volumeId, volumeId, null, null));
                }
            }
        }
        for (ServerDisks server : directory) {
            if (s.matchesServer(server.name(), server.tags(), server.projectKeys(), server.domainKeys())) {
                for (Disk d : server.disks()) {
                    if (!p.excludes(d.device(), d.volumeId(), d.imageSpec())) {
                        out.put(d.imageSpec(), new Target(d.imageSpec(), server.id(), server.id(), d.device()));
                    }
                }
            }
        }
        return out;
    }

    private List<String> images(String pool, Map<String, List<String>> cache, List<String> problems) {
        List<String> found = cache.get(pool);
        if (found == null) {
            try {
                found = imagesOfPool.apply(pool);
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
                found = List.of();
            }
            cache.put(pool, found);
        }
        return found;
    }

    private static String subject(Target t, List<ServerDisks> directory) {
        if (t.serverId() == null) {
            return "volume " + t.volumeId();
        }
        return directory.stream().filter(s -> s.id().equals(t.serverId())).findFirst()
                .map(s -> "server " + s.name() + " (" + s.id() + ")").orElse("server " + t.serverId());
    }
}
